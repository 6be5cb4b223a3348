import AuxEngine
import AuxIO
import Foundation

/// The procedural `scenes` benchmark as a ``MultiTaskDataset``: tasks `semantic` (7 classes),
/// `depth`, `normal` and `edge` on rendered rooms (see `docs/scenes.md`).
///
/// Splits are disjoint ranges of scene indices that do not depend on the split sizes: training
/// sample `i` is scene `i`, validation sample `i` is scene `2^40 + i`, test sample `i` is scene
/// `2^41 + i`, all rendered by one ``ScenesGenerator`` (so by one seed). Growing the training set
/// never changes the validation or test scenes.
///
/// With a cache directory, samples are stored as NPY files the first time they are generated and
/// read back afterwards (see ``ScenesCache``).
public struct ScenesDataset: MultiTaskDataset {
  /// A split of the benchmark.
  public enum Split: String, Sendable, CaseIterable {
    case train, validation, test

    /// The scene index of this split's sample 0.
    public var firstSceneIndex: Int {
      switch self {
      case .train: 0
      case .validation: 1 << 40
      case .test: 1 << 41
      }
    }
  }

  /// The tasks every sample carries, in this order.
  public static let taskSpecs: [TaskLabelSpec] = [
    TaskLabelSpec(name: "semantic", kind: .denseClass(classes: SceneClass.allCases.count, ignoreIndex: -1)),
    TaskLabelSpec(name: "depth", kind: .denseRegression(channels: 1)),
    TaskLabelSpec(name: "normal", kind: .unitVector),
    TaskLabelSpec(name: "edge", kind: .denseClass(classes: 2, ignoreIndex: -1)),
  ]

  /// Default split sizes: 4000 training, 500 validation and 1000 test scenes.
  public static let defaultSizes: [Split: Int] = [.train: 4000, .validation: 500, .test: 1000]

  public let name: String
  public let count: Int
  public var tasks: [TaskLabelSpec] { Self.taskSpecs }
  public var imageShape: [Int] { [3, generator.config.height, generator.config.width] }
  /// The split.
  public let split: Split
  /// The generator that renders the scenes.
  public let generator: ScenesGenerator
  /// The NPY cache, when one was requested.
  public let cache: ScenesCache?

  /// A split of the benchmark.
  ///
  /// - Parameters:
  ///   - config: image size, seed and rendering options.
  ///   - split: which split.
  ///   - count: number of samples (default ``defaultSizes``).
  ///   - cacheDirectory: when given, samples are cached there as NPY files (see ``ScenesCache``).
  /// - Throws: ``FormatError`` when the cache directory holds a cache made with another
  ///   configuration under the same key, or cannot be created.
  public init(config: ScenesConfig = ScenesConfig(), split: Split, count: Int? = nil, cacheDirectory: URL? = nil) throws {
    let n = count ?? Self.defaultSizes[split]!
    precondition(n >= 0 && n <= 1 << 40, "ScenesDataset: count \(n) must be in 0…2^40")
    self.generator = ScenesGenerator(config: config)
    self.split = split
    self.count = n
    self.name = "scenes-\(split.rawValue)"
    self.cache = try cacheDirectory.map { try ScenesCache(root: $0, config: config) }
  }

  /// Sample `index` (`0..<count`): scene `split.firstSceneIndex + index`.
  public func sample(at index: Int) throws -> Sample {
    precondition(index >= 0 && index < count, "\(name): index \(index) out of range 0..<\(count)")
    let scene = split.firstSceneIndex + index
    guard let cache else { return generator.sample(index: scene) }
    if let cached = cache.load(scene: scene) { return cached }
    let sample = generator.sample(index: scene)
    try cache.store(sample, scene: scene)
    return sample
  }

  /// Generates and caches every sample of the split that is not cached (and valid) yet; returns
  /// how many were generated. Without a cache it does nothing and returns 0.
  @discardableResult
  public func fillCache() throws -> Int {
    guard let cache else { return 0 }
    var generated = 0
    for i in 0..<count {
      let scene = split.firstSceneIndex + i
      if cache.isValid(scene: scene) { continue }
      try cache.store(generator.sample(index: scene), scene: scene)
      generated += 1
    }
    return generated
  }
}
