import AuxEngine
import Foundation

/// The `fashion` task set: Fashion-MNIST with one primary and three auxiliary tasks.
///
/// Tasks (choose any subset with ``Options/tasks``; the order given is kept):
/// - `item` (primary): the 10 Fashion-MNIST classes.
/// - `group`: 4 coarse groups — 0 upper body {T-shirt/top, Pullover, Coat, Shirt}, 1 lower body
///   and dresses {Trouser, Dress}, 2 footwear {Sandal, Sneaker, Ankle boot}, 3 bags {Bag}.
/// - `rotation` (self-supervised): the input is rotated by k·90° counter-clockwise
///   (`numpy.rot90` convention), label k ∈ {0, 1, 2, 3}.
/// - `denoise` (dense regression, `[1, 28, 28]`, mask all ones): the clean (rotated) image,
///   while the input carries Gaussian noise.
///
/// **The input is shared by all tasks**, so rotation and noise are properties of the dataset, not
/// of a task: with ``Options/rotateInput`` every sample's input is rotated (item and group labels
/// stay valid for a rotated garment), and with ``Options/noiseStandardDeviation`` > 0 noise is
/// added to it (not clipped), whichever tasks are requested. A primary-only baseline built with
/// the same options therefore sees exactly the inputs the multi-task model sees. k and the noise
/// are fixed per image: drawn from generators seeded by (``Options/seed``, file, image index), so
/// they do not change across epochs, splits or `limit`s. Pixels are scaled to [0, 1] (`x / 255`).
public struct FashionMNISTTaskSet: MultiTaskDataset {
  /// Task names in their default order.
  public static let allTasks = ["item", "group", "rotation", "denoise"]
  /// Coarse group of each Fashion-MNIST class.
  public static let groupOfClass: [Int] = [0, 1, 0, 1, 0, 2, 0, 2, 3, 2]
  /// Names of the coarse groups.
  public static let groupNames = ["upper body", "lower body and dresses", "footwear", "bags"]

  /// Options of the task set.
  public struct Options: Sendable, Equatable {
    /// Tasks to label, a subset of ``FashionMNISTTaskSet/allTasks``.
    public var tasks: [String]
    /// Rotate every input by its k·90° (required for the `rotation` task).
    public var rotateInput: Bool
    /// Standard deviation of the Gaussian noise added to every input (in [0, 1] pixel units;
    /// must be > 0 for the `denoise` task).
    public var noiseStandardDeviation: Float
    /// Seed of the per-image rotations and noise.
    public var seed: UInt64

    public init(tasks: [String] = FashionMNISTTaskSet.allTasks, rotateInput: Bool = true, noiseStandardDeviation: Float = 0.2, seed: UInt64 = 0) {
      self.tasks = tasks
      self.rotateInput = rotateInput
      self.noiseStandardDeviation = noiseStandardDeviation
      self.seed = seed
    }
  }

  /// The decoded Fashion-MNIST files.
  public let files: FashionMNISTFiles
  /// Which images this dataset uses.
  public let split: FashionMNISTSplit
  /// Tasks and input transformations.
  public let options: Options
  /// Indices into the training or test files.
  public let fileIndices: [Int]
  public let tasks: [TaskLabelSpec]

  public var name: String { "fashion-\(split.split)" }
  public var count: Int { fileIndices.count }
  public var imageShape: [Int] { [1, FashionMNISTFiles.side, FashionMNISTFiles.side] }

  public init(files: FashionMNISTFiles, split: FashionMNISTSplit, options: Options = Options()) throws {
    for t in options.tasks where !Self.allTasks.contains(t) {
      throw DatasetError("fashion: unknown task '\(t)' (tasks: \(Self.allTasks.joined(separator: ", ")))")
    }
    guard !options.tasks.isEmpty, Set(options.tasks).count == options.tasks.count else {
      throw DatasetError("fashion: tasks \(options.tasks) must be a non-empty list without repeats")
    }
    if options.tasks.contains("rotation") && !options.rotateInput {
      throw DatasetError("fashion: the rotation task needs rotateInput = true (its label is the input's rotation)")
    }
    if options.tasks.contains("denoise") && !(options.noiseStandardDeviation > 0) {
      throw DatasetError("fashion: the denoise task needs noiseStandardDeviation > 0, got \(options.noiseStandardDeviation)")
    }
    self.files = files
    self.split = split
    self.options = options
    fileIndices = split.indices(trainCount: files.trainCount, testCount: files.testCount)
    tasks = options.tasks.map { name in
      switch name {
      case "item": TaskLabelSpec(name: name, kind: .classIndex(classes: 10))
      case "group": TaskLabelSpec(name: name, kind: .classIndex(classes: 4))
      case "rotation": TaskLabelSpec(name: name, kind: .classIndex(classes: 4))
      default: TaskLabelSpec(name: name, kind: .denseRegression(channels: 1), regressionMetrics: .image(peak: 1))
      }
    }
  }

  /// The rotation (quarter turns, counter-clockwise) of the image at dataset index `index`.
  public func rotation(at index: Int) -> Int {
    guard options.rotateInput else { return 0 }
    var rng = SeedMixing.generator(options.seed, SeedMixing.code("fashion-rotation"), split.usesTestFiles ? 1 : 0, UInt64(fileIndices[index]))
    return rng.nextInt(below: 4)
  }

  /// The clean image at dataset index `index`, `[1, 28, 28]` in [0, 1], before rotation.
  public func cleanImage(at index: Int) -> Tensor {
    let side = FashionMNISTFiles.side, n = side * side
    let src = split.usesTestFiles ? files.testImages : files.trainImages
    let offset = fileIndices[index] * n
    var t = Tensor.uninitialized([1, side, side])
    src.withUnsafeBufferPointer { s in
      t.withUnsafeMutableBufferPointer { d in
        for i in 0..<n { d[i] = Float(s[offset + i]) / 255 }
      }
    }
    return t
  }

  public func sample(at index: Int) throws -> Sample {
    precondition(index >= 0 && index < count, "FashionMNISTTaskSet.sample: index \(index) out of range 0..<\(count)")
    let fileIndex = fileIndices[index]
    let label = Int(split.usesTestFiles ? files.testLabels[fileIndex] : files.trainLabels[fileIndex])
    let k = rotation(at: index)
    let clean = k == 0 ? cleanImage(at: index) : ImageKernels.rotate90(cleanImage(at: index), k: k)
    var input = clean
    let sigma = options.noiseStandardDeviation
    if sigma > 0 {
      var rng = SeedMixing.generator(options.seed, SeedMixing.code("fashion-noise"), split.usesTestFiles ? 1 : 0, UInt64(fileIndex))
      input.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] += sigma * rng.nextNormal() }
      }
    }
    var labels: [String: Tensor] = [:]
    var masks: [String: Tensor] = [:]
    for t in options.tasks {
      switch t {
      case "item": labels[t] = Tensor([Float(label)])
      case "group": labels[t] = Tensor([Float(Self.groupOfClass[label])])
      case "rotation": labels[t] = Tensor([Float(k)])
      default:
        labels[t] = clean
        masks[t] = Tensor.ones(imageShape)
      }
    }
    return Sample(image: input, labels: labels, masks: masks)
  }
}
