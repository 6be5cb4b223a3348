import AuxEngine
import AuxIO
import Foundation

/// NYUv2 in MTAN's preprocessed NPY layout (13 classes, 288×384).
///
/// ```
/// root/
///   train/ image/{i}.npy label/{i}.npy depth/{i}.npy normal/{i}.npy    i = 0..<795
///   val/   image/{i}.npy label/{i}.npy depth/{i}.npy normal/{i}.npy    i = 0..<654 (the test set)
/// ```
/// - image: `H×W×3` float in [0, 1], moved to `[3, H, W]` and normalised by ``imageNormalization``
///   (default `.symmetric`, Auto-Lambda's `2x − 1`; MTAN and LibMTL feed `.unit`).
/// - `semantic`: `H×W` classes 0…12, −1 = ignore (``LabelKind/denseClass(classes:ignoreIndex:)``).
/// - `depth`: `H×W×1` (or `H×W`) metres, 0 = invalid; mask = depth ≠ 0. Random scale crops divide
///   it by the zoom factor.
/// - `normal`: `H×W×3` unit vectors, all-zero = invalid; mask = any component ≠ 0.
///
/// `.train` reads `train/`, `.test` reads `val/`; the layout has no validation split. The number
/// of samples is the number of `*.npy` files in `image/`, which must be named `0.npy`…`N−1.npy`
/// with a file of the same name in each other directory. Shapes are checked against sample 0.
/// A NaN or infinity in any file is refused with a ``AuxIO/FormatError`` naming the file and the
/// entry (``FiniteValues``): a NaN depth would otherwise pass the `depth ≠ 0` mask and turn the
/// loss into NaN.
public struct NYUv2Dataset: MultiTaskDataset {
  /// Number of segmentation classes.
  public static let classes = 13
  /// The directory holding `train/` and `val/`.
  public let root: URL
  /// `.train` (train/) or `.test` (val/).
  public let split: DataSplit
  /// The split's directory.
  public let directory: URL
  /// Number of samples (NPY files in `image/`).
  public let count: Int
  /// Normalisation applied to images in [0, 1].
  public let imageNormalization: ImageNormalization
  /// Height and width of every sample (from sample 0).
  public let height: Int, width: Int
  public let tasks = [
    TaskLabelSpec(name: "semantic", kind: .denseClass(classes: 13, ignoreIndex: -1)),
    TaskLabelSpec(name: "depth", kind: .denseRegression(channels: 1)),
    TaskLabelSpec(name: "normal", kind: .unitVector),
  ]

  public var name: String { "nyuv2-\(split)" }
  public var imageShape: [Int] { [3, height, width] }
  public var denseLabelPolicies: [String: DenseLabelPolicy] {
    ["depth": DenseLabelPolicy(interpolation: .nearest, padValue: 0, valueScaling: .divideByScale)]
  }

  public init(root: URL, split: DataSplit, imageNormalization: ImageNormalization = .symmetric) throws {
    let sub: String
    switch split {
    case .train: sub = "train"
    case .test: sub = "val"
    case .validation:
      throw DatasetError("NYUv2 (MTAN layout) has no validation split: use .train (train/) or .test (val/)", missingSplit: .validation)
    }
    self.root = root
    self.split = split
    self.imageNormalization = imageNormalization
    directory = root.appendingPathComponent(sub)
    count = try NumberedFiles.count(
      in: directory, reference: "image", others: ["label", "depth", "normal"], extensions: ["npy", "npy", "npy", "npy"],
      layout: "NYUv2 (MTAN layout: <root>/train and <root>/val, each with image/, label/, depth/, normal/ holding 0.npy, 1.npy, ...)")
    let first = try NPY.read(directory.appendingPathComponent("image/0.npy"))
    guard first.shape.count == 3, first.shape[2] == 3, first.shape[0] > 0, first.shape[1] > 0 else {
      throw FormatError(file: directory.appendingPathComponent("image/0.npy").path, "expected an H×W×3 RGB image with H, W ≥ 1, found shape \(first.shape)")
    }
    height = first.shape[0]
    width = first.shape[1]
  }

  func url(_ modality: String, _ index: Int) -> URL {
    directory.appendingPathComponent("\(modality)/\(index).npy")
  }

  func read(_ modality: String, _ index: Int, shapes: [[Int]]) throws -> Tensor {
    let u = url(modality, index)
    let a = try NPY.read(u)
    guard shapes.contains(a.shape) else {
      throw FormatError(file: u.path, "expected shape \(shapes.map { "\($0)" }.joined(separator: " or ")), found \(a.shape)")
    }
    try FiniteValues.require(a.tensor, shape: a.shape, file: u.path, what: modality)
    return a.tensor
  }

  public func sample(at index: Int) throws -> Sample {
    precondition(index >= 0 && index < count, "NYUv2Dataset.sample: index \(index) out of range 0..<\(count)")
    let h = height, w = width
    var image = ImageKernels.channelsFirst(try read("image", index, shapes: [[h, w, 3]]))
    imageNormalization.apply(&image)
    var label = try read("label", index, shapes: [[h, w], [h, w, 1]])
    label = label.reshaped([h, w])
    let bad: Float? = label.withUnsafeBufferPointer { p in
      let top = Float(Self.classes)
      for i in 0..<p.count where !(p[i] == p[i].rounded() && p[i] >= -1 && p[i] < top) { return p[i] }
      return nil
    }
    if let bad {
      throw FormatError(file: url("label", index).path, "label value \(bad) is not a class in 0...12 or the ignore value -1")
    }
    let depth = ImageKernels.channelsFirst(try read("depth", index, shapes: [[h, w, 1], [h, w]]))
    let normal = ImageKernels.channelsFirst(try read("normal", index, shapes: [[h, w, 3]]))
    var depthMask = Tensor.uninitialized([1, h, w])
    var normalMask = Tensor.uninitialized([1, h, w])
    let plane = h * w
    depth.withUnsafeBufferPointer { d in
      depthMask.withUnsafeMutableBufferPointer { m in
        for i in 0..<plane { m[i] = d[i] != 0 ? 1 : 0 }
      }
    }
    normal.withUnsafeBufferPointer { n in
      normalMask.withUnsafeMutableBufferPointer { m in
        for i in 0..<plane { m[i] = (n[i] != 0 || n[plane + i] != 0 || n[2 * plane + i] != 0) ? 1 : 0 }
      }
    }
    return Sample(
      image: image, labels: ["semantic": label, "depth": depth, "normal": normal],
      masks: ["depth": depthMask, "normal": normalMask])
  }
}
