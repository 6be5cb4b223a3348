import AuxEngine
import AuxIO
import Foundation

/// Cityscapes in Auto-Lambda's released layout (19-class segmentation, 10-class parts, disparity;
/// 256×512).
///
/// ```
/// root/
///   train/ image/{i}.png seg/{i}.png part_seg/{i}.tif depth/{i}.png    i = 0..<2975
///   val/   image/{i}.png seg/{i}.png part_seg/{i}.tif depth/{i}.png    i = 0..<500 (the test set)
/// ```
/// - image: RGB PNG (8- or 16-bit) read into [0, 1] (as `matplotlib.pyplot.imread` does), then
///   normalised by ``imageNormalization`` (default `.symmetric`, Auto-Lambda's `2x − 1`).
/// - `semantic`: single-channel PNG of Cityscapes label ids 0…33 → 19 train ids, −1 = ignore
///   (``CityscapesLabels/trainIdOfLabelId``). Other values are a format error.
/// - `part`: single-channel integer TIFF of Cityscapes-Panoptic-Parts uids, decoded as
///   `panoptic_parts.decode_uids` does, → 10 part classes with 0 = background
///   (``CityscapesLabels/partClass(sidPid:)``). Crops pad it with −1 (ignored).
/// - `disparity`: single-channel 16-bit PNG p → `(p − 1)/1024`, p = 0 invalid (value −1, mask 0).
///   Random scale crops multiply it by the zoom factor; crops pad it with −1.
///
/// Decoding goes through libpng and libtiff. `.train` reads `train/`, `.test` reads `val/`; there
/// is no validation split. Files must be numbered `0`…`N−1` in every directory, N being the
/// number of PNGs in `image/`; sizes are checked against sample 0.
public struct CityscapesDataset: MultiTaskDataset {
  /// The directory holding `train/` and `val/`.
  public let root: URL
  /// `.train` (train/) or `.test` (val/).
  public let split: DataSplit
  /// The split's directory.
  public let directory: URL
  /// Number of samples (PNG files in `image/`).
  public let count: Int
  /// Normalisation applied to images in [0, 1].
  public let imageNormalization: ImageNormalization
  /// Size of every sample (from `image/0.png`).
  public let height: Int, width: Int
  public let tasks = [
    TaskLabelSpec(name: "semantic", kind: .denseClass(classes: 19, ignoreIndex: -1)),
    TaskLabelSpec(name: "part", kind: .denseClass(classes: 10, ignoreIndex: -1)),
    TaskLabelSpec(name: "disparity", kind: .denseRegression(channels: 1)),
  ]

  public var name: String { "cityscapes-\(split)" }
  public var imageShape: [Int] { [3, height, width] }
  public var denseLabelPolicies: [String: DenseLabelPolicy] {
    ["disparity": DenseLabelPolicy(interpolation: .nearest, padValue: -1, valueScaling: .multiplyByScale)]
  }

  public init(root: URL, split: DataSplit, imageNormalization: ImageNormalization = .symmetric) throws {
    let sub: String
    switch split {
    case .train: sub = "train"
    case .test: sub = "val"
    case .validation:
      throw DatasetError("Cityscapes (Auto-Lambda layout) has no validation split: use .train (train/) or .test (val/)", missingSplit: .validation)
    }
    self.root = root
    self.split = split
    self.imageNormalization = imageNormalization
    directory = root.appendingPathComponent(sub)
    count = try NumberedFiles.count(
      in: directory, reference: "image", others: ["seg", "part_seg", "depth"], extensions: ["png", "png", "tif", "png"],
      layout: "Cityscapes (Auto-Lambda layout: <root>/train and <root>/val, each with image/ (.png), seg/ (.png), part_seg/ (.tif), depth/ (.png) numbered 0, 1, ...)")
    let first = try PNGDecoder.read(directory.appendingPathComponent("image/0.png"))
    height = first.height
    width = first.width
  }

  func url(_ modality: String, _ index: Int, _ ext: String) -> URL {
    directory.appendingPathComponent("\(modality)/\(index).\(ext)")
  }

  func checkSize(_ u: URL, _ h: Int, _ w: Int) throws {
    guard h == height, w == width else {
      throw FormatError(file: u.path, "image is \(w)x\(h) (width x height); expected \(width)x\(height) like image/0.png")
    }
  }

  public func sample(at index: Int) throws -> Sample {
    precondition(index >= 0 && index < count, "CityscapesDataset.sample: index \(index) out of range 0..<\(count)")
    let plane = height * width

    let imageURL = url("image", index, "png")
    let png = try PNGDecoder.read(imageURL)
    try checkSize(imageURL, png.height, png.width)
    guard png.channels == 3 else {
      throw FormatError(file: imageURL.path, "expected an RGB image (3 channels), found \(png.channels) channels (PNG colour type \(png.colorType))")
    }
    var image = png.unitRange()
    imageNormalization.apply(&image)

    let segURL = url("seg", index, "png")
    let seg = try PNGDecoder.read(segURL, expandPalette: false)
    try checkSize(segURL, seg.height, seg.width)
    guard seg.channels == 1 else {
      throw FormatError(file: segURL.path, "expected a single-channel label-id PNG, found \(seg.channels) channels")
    }
    var semantic = Tensor.uninitialized([height, width])
    let badSeg: Float? = seg.pixels.withUnsafeBufferPointer { src in
      semantic.withUnsafeMutableBufferPointer { dst in
        CityscapesLabels.trainIdOfLabelId.withUnsafeBufferPointer { map in
          for i in 0..<plane {
            let id = src[i]
            guard id < Float(map.count) else { return id }
            dst[i] = Float(map[Int(id)])
          }
          return nil
        }
      }
    }
    if let badSeg {
      throw FormatError(file: segURL.path, "label id \(Int(badSeg)) is not a Cityscapes label id (0...33)")
    }

    let partURL = url("part_seg", index, "tif")
    let tiff = try TIFFCodec.read(partURL)
    try checkSize(partURL, tiff.height, tiff.width)
    var part = Tensor.uninitialized([height, width])
    var badUID: Int64?
    tiff.values.withUnsafeBufferPointer { src in
      part.withUnsafeMutableBufferPointer { dst in
        for i in 0..<plane {
          guard let sp = CityscapesLabels.sidPid(uid: src[i]) else {
            badUID = src[i]
            return
          }
          dst[i] = Float(CityscapesLabels.partClass(sidPid: sp))
        }
      }
    }
    if let badUID {
      throw FormatError(file: partURL.path, "value \(badUID) is not a Cityscapes-Panoptic-Parts uid (0...99, 1000...99999 or 100000...9999999)")
    }

    let depthURL = url("depth", index, "png")
    let disp = try PNGDecoder.read(depthURL)
    try checkSize(depthURL, disp.height, disp.width)
    guard disp.channels == 1, disp.bitDepth == 16 else {
      throw FormatError(file: depthURL.path, "expected a single-channel 16-bit disparity PNG, found \(disp.channels) channel(s) at \(disp.bitDepth) bits")
    }
    var disparity = Tensor.uninitialized([1, height, width])
    var mask = Tensor.uninitialized([1, height, width])
    disp.pixels.withUnsafeBufferPointer { src in
      disparity.withUnsafeMutableBufferPointer { d in
        mask.withUnsafeMutableBufferPointer { m in
          for i in 0..<plane {
            d[i] = CityscapesLabels.disparity(src[i])
            m[i] = src[i] == 0 ? 0 : 1
          }
        }
      }
    }
    return Sample(
      image: image, labels: ["semantic": semantic, "part": part, "disparity": disparity], masks: ["disparity": mask])
  }
}
