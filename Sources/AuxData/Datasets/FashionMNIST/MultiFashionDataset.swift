import AuxEngine
import Foundation

/// The `multi-fashion` task set: overlapping pairs of Fashion-MNIST items (Lin et al., "Pareto
/// Multi-Task Learning", NeurIPS 2019, built as Sener & Koltun's MultiMNIST, NeurIPS 2018).
///
/// Each sample places its own item at the top-left of a 36×36 canvas (rows and columns 0…27) and
/// a partner item at the bottom-right (rows and columns 6…33), takes the pixel-wise maximum where
/// they overlap, and resizes the canvas to 28×28 by nearest neighbour with PIL's rule (source
/// index `floor((i + 0.5) · 36 / 28)`), as `scipy.misc.imresize(..., interp="nearest")` did.
/// Tasks `left` and `right` (10 classes each) are the two items' classes. The partner of each
/// sample is drawn uniformly from the same split by a generator seeded by (``seed``, file, image
/// index), so pairs are fixed. Pixels are in [0, 1].
public struct MultiFashionDataset: MultiTaskDataset {
  /// Side of the canvas the two items are placed on.
  public static let canvas = 36
  /// Offset (rows and columns) of the partner item on the canvas.
  public static let offset = 6

  /// The decoded Fashion-MNIST files.
  public let files: FashionMNISTFiles
  /// Which images this dataset uses (partners come from the same split).
  public let split: FashionMNISTSplit
  /// Seed of the partner choice.
  public let seed: UInt64
  /// Indices into the training or test files.
  public let fileIndices: [Int]
  public let tasks = [
    TaskLabelSpec(name: "left", kind: .classIndex(classes: 10)),
    TaskLabelSpec(name: "right", kind: .classIndex(classes: 10)),
  ]

  public var name: String { "multi-fashion-\(split.split)" }
  public var count: Int { fileIndices.count }
  public var imageShape: [Int] { [1, FashionMNISTFiles.side, FashionMNISTFiles.side] }

  public init(files: FashionMNISTFiles, split: FashionMNISTSplit, seed: UInt64 = 0) {
    self.files = files
    self.split = split
    self.seed = seed
    fileIndices = split.indices(trainCount: files.trainCount, testCount: files.testCount)
  }

  /// The dataset index of the partner (right) item of sample `index`.
  public func partner(of index: Int) -> Int {
    var rng = SeedMixing.generator(seed, SeedMixing.code("multi-fashion-partner"), split.usesTestFiles ? 1 : 0, UInt64(fileIndices[index]))
    return rng.nextInt(below: count)
  }

  /// Source canvas index of output pixel `i` (PIL nearest neighbour, 36 → 28).
  static let sourceIndex: [Int] = (0..<FashionMNISTFiles.side).map {
    Int(((Double($0) + 0.5) * Double(canvas) / Double(FashionMNISTFiles.side)).rounded(.down))
  }

  public func sample(at index: Int) throws -> Sample {
    precondition(index >= 0 && index < count, "MultiFashionDataset.sample: index \(index) out of range 0..<\(count)")
    let side = FashionMNISTFiles.side, c = Self.canvas, off = Self.offset
    let images = split.usesTestFiles ? files.testImages : files.trainImages
    let labels = split.usesTestFiles ? files.testLabels : files.trainLabels
    let left = fileIndices[index], right = fileIndices[partner(of: index)]
    var image = Tensor.uninitialized([1, side, side])
    images.withUnsafeBufferPointer { src in
      Self.sourceIndex.withUnsafeBufferPointer { idx in
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: c * c) { canvas in
          canvas.initialize(repeating: 0)
          let l = src.baseAddress! + left * side * side, r = src.baseAddress! + right * side * side
          for y in 0..<side {
            for x in 0..<side { canvas[y * c + x] = l[y * side + x] }
          }
          for y in 0..<side {
            for x in 0..<side {
              let k = (y + off) * c + (x + off)
              canvas[k] = max(canvas[k], r[y * side + x])
            }
          }
          image.withUnsafeMutableBufferPointer { d in
            for y in 0..<side {
              for x in 0..<side { d[y * side + x] = Float(canvas[idx[y] * c + idx[x]]) / 255 }
            }
          }
        }
      }
    }
    return Sample(image: image, labels: ["left": Tensor([Float(labels[left])]), "right": Tensor([Float(labels[right])])])
  }
}
