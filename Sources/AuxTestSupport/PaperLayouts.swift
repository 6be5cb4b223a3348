import AuxData
import AuxEngine
import AuxIO
import Foundation

/// Writers of tiny datasets in the exact on-disk layouts of the paper datasets, for tests (the
/// loader tests read them back value by value; the preset tests train on them).
public enum PaperLayouts {
  /// NYUv2, MTAN layout: `<root>/<split>/{image,label,depth,normal}/{i}.npy`, channels last.
  /// Sample i: image pixel values (i + y·w + x) / 1000 per channel c plus c/10; label
  /// (y·w + x + i) % 14 − 1 (so −1 … 12); depth 0 (invalid) where (x + y + i) % 5 == 0 else
  /// 1 + x / 10; normal all-zero where x == 0 else a unit vector.
  public static func writeNYUv2(root: URL, split: String, count: Int, h: Int = 6, w: Int = 8) throws {
    for i in 0..<count {
      var image: [Float] = [], label: [Float] = [], depth: [Float] = [], normal: [Float] = []
      for y in 0..<h {
        for x in 0..<w {
          for c in 0..<3 { image.append(Float(i + y * w + x) / 1000 + Float(c) / 10) }
          label.append(Float((y * w + x + i) % 14 - 1))
          depth.append((x + y + i) % 5 == 0 ? 0 : 1 + Float(x) / 10)
          if x == 0 {
            normal += [0, 0, 0]
          } else {
            let v: [Float] = [Float(x), Float(y) - 2, 3]
            let n = (v.map { $0 * $0 }.reduce(0, +)).squareRoot()
            normal += v.map { $0 / n }
          }
        }
      }
      let dir = root.appendingPathComponent(split)
      try NPY.write(Tensor(shape: [h, w, 3], scalars: image), to: dir.appendingPathComponent("image/\(i).npy"))
      try NPY.write(Tensor(shape: [h, w], scalars: label), to: dir.appendingPathComponent("label/\(i).npy"))
      try NPY.write(Tensor(shape: [h, w, 1], scalars: depth), to: dir.appendingPathComponent("depth/\(i).npy"))
      try NPY.write(Tensor(shape: [h, w, 3], scalars: normal), to: dir.appendingPathComponent("normal/\(i).npy"))
    }
  }

  /// Cityscapes-Panoptic-Parts uids used by ``writeCityscapes(root:split:count:h:w:)``, with the
  /// part class each must decode to.
  public static let partUIDs: [(uid: Int64, part: Int)] = [
    (0, 0), (7, 0), (24, 0), (24003, 0), (2400301, 1), (2500702, 2), (2400103, 3), (2501204, 4), (2400305, 0),
    (2600101, 5), (2700202, 6), (2800303, 7), (2600404, 8), (2800105, 9), (2600106, 0), (2600100, 0), (2300301, 0),
  ]

  /// Cityscapes, Auto-Lambda layout: `<root>/<split>/{image,seg,depth}/{i}.png`, `part_seg/{i}.tif`.
  /// Pixel p = y·w + x of sample i: RGB (p + i, 2p, 255 − p); label id (p + i) % 34; part uid
  /// `partUIDs[(p + i) % partUIDs.count]`; disparity (p·97 + i) % 700, with 0 every 7th pixel.
  public static func writeCityscapes(root: URL, split: String, count: Int, h: Int = 4, w: Int = 6) throws {
    let dir = root.appendingPathComponent(split)
    for sub in ["image", "seg", "part_seg", "depth"] {
      try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
    }
    for i in 0..<count {
      var rgb: [UInt16] = [], seg: [UInt16] = [], disp: [UInt16] = [], uids: [Int64] = []
      for p in 0..<(h * w) {
        rgb += [UInt16((p + i) % 256), UInt16((2 * p) % 256), UInt16(255 - p % 256)]
        seg.append(UInt16((p + i) % 34))
        uids.append(partUIDs[(p + i) % partUIDs.count].uid)
        disp.append(p % 7 == 0 ? 0 : UInt16((p * 97 + i) % 700))
      }
      try TestPNG.write(dir.appendingPathComponent("image/\(i).png"), width: w, height: h, channels: 3, bitDepth: 8, samples: rgb)
      try TestPNG.write(dir.appendingPathComponent("seg/\(i).png"), width: w, height: h, channels: 1, bitDepth: 8, samples: seg)
      try TestPNG.write(dir.appendingPathComponent("depth/\(i).png"), width: w, height: h, channels: 1, bitDepth: 16, samples: disp)
      try TIFFCodec.write(TIFFImage(width: w, height: h, bitsPerSample: 32, isSigned: false, values: uids), to: dir.appendingPathComponent("part_seg/\(i).tif"))
    }
  }

  /// A CIFAR-100 binary file of `perFine` records for each fine class in `fines`: record pixels
  /// (k + fine + channel·7) % 256 for byte k of a channel plane.
  public static func writeCIFAR100(_ url: URL, fines: [Int], perFine: Int) throws {
    var data = Data()
    for r in 0..<perFine {
      for fine in fines {
        data.append(UInt8(MultiDomainCIFAR100.coarseOfFine[fine]))
        data.append(UInt8(fine))
        for c in 0..<3 {
          data.append(contentsOf: (0..<1024).map { UInt8(($0 + fine + c * 7 + r) % 256) })
        }
      }
    }
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: url)
  }
}
