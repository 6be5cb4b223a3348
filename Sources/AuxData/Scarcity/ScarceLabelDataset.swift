import AuxEngine

/// A dataset in which some tasks keep their labels on a fraction of the samples only: the
/// label-scarce regime of auxiliary learning, where primary labels are expensive and auxiliary
/// labels cheap.
///
/// Which samples stay labelled is fixed by the seed alone (a seeded shuffle of the indices; the
/// first `round(fraction · count)` of it, at least one), the same for every scarce task and every
/// method, so runs with the same seed compare like with like. On the other samples the scarce
/// tasks' labels are removed in the way each loss already understands:
///
/// | label kind | an unlabelled sample carries |
/// | --- | --- |
/// | class index | the class ``missingClassIndex`` (−100, cross-entropy's ignore index) |
/// | dense class map | the task's ignore index at every pixel |
/// | dense regression, unit vectors | a validity mask of zeros (labelled samples get the base mask, or ones) |
///
/// Soft labels (class distributions) have no way to say "no label" and are refused.
///
/// ```swift
/// let scarce = try ScarceLabelDataset(train, tasks: ["semantic"], fraction: 0.1, seed: 0)
/// scarce.labelledIndices.count   // 10 % of train.count
/// ```
public struct ScarceLabelDataset: MultiTaskDataset {
  /// The class-index label of a sample whose label was removed (PyTorch's default ignore index).
  public static let missingClassIndex = -100

  public let base: any MultiTaskDataset
  /// The tasks whose labels are scarce.
  public let scarceTasks: [String]
  /// The fraction of samples that keep those labels, in (0, 1].
  public let fraction: Double
  /// The dataset indices that keep their labels, ascending.
  public let labelledIndices: [Int]
  private let labelled: [Bool]
  private let kinds: [String: LabelKind]

  /// - Parameters:
  ///   - tasks: the tasks whose labels become scarce (every one must be in `base`).
  ///   - fraction: the fraction of samples that keep their labels, in (0, 1].
  ///   - seed: fixes which samples keep them.
  /// - Throws: ``DatasetError`` for a fraction outside (0, 1], an unknown task or a soft-label task.
  public init(_ base: any MultiTaskDataset, tasks: [String], fraction: Double, seed: UInt64) throws {
    guard fraction > 0 && fraction <= 1 && fraction.isFinite else {
      throw DatasetError("scarce labels: the fraction of labelled samples must be in (0, 1], got \(fraction)")
    }
    var kinds: [String: LabelKind] = [:]
    for name in tasks {
      guard let spec = base.tasks.first(where: { $0.name == name }) else {
        throw DatasetError("scarce labels on task '\(name)': the dataset '\(base.name)' has tasks \(base.tasks.map(\.name).joined(separator: ", "))")
      }
      if case .softLabel = spec.kind {
        throw DatasetError("scarce labels on task '\(name)': soft labels (class distributions) cannot mark a sample as unlabelled; use a class-index, dense or regression task")
      }
      kinds[name] = spec.kind
    }
    self.base = base
    self.scarceTasks = tasks
    self.fraction = fraction
    self.kinds = kinds
    let keep = Self.labelledCount(fraction: fraction, count: base.count)
    var order = Array(0..<base.count)
    var rng = SeedMixing.generator(seed, SeedMixing.code("scarce-labels"))
    rng.shuffle(&order)
    labelledIndices = order.prefix(keep).sorted()
    var flags = [Bool](repeating: false, count: base.count)
    for i in labelledIndices { flags[i] = true }
    labelled = flags
  }

  /// How many of `count` samples keep their labels at `fraction`: `round(fraction · count)`, at
  /// least one when `count > 0`.
  public static func labelledCount(fraction: Double, count: Int) -> Int {
    guard count > 0 else { return 0 }
    return min(count, max(1, Int((fraction * Double(count)).rounded())))
  }

  /// Whether sample `index` keeps the scarce tasks' labels.
  public func isLabelled(_ index: Int) -> Bool { labelled[index] }

  public var name: String { "\(base.name)+scarce" }
  public var count: Int { base.count }
  public var tasks: [TaskLabelSpec] { base.tasks }
  public var imageShape: [Int] { base.imageShape }
  public var denseLabelPolicies: [String: DenseLabelPolicy] { base.denseLabelPolicies }

  public func sample(at index: Int) throws -> Sample {
    var s = try base.sample(at: index)
    let keep = labelled[index]
    for task in scarceTasks {
      guard let kind = kinds[task], let label = s.labels[task] else { continue }
      switch kind {
      case .classIndex:
        if !keep { s.labels[task] = Tensor(shape: label.shape, repeating: Float(Self.missingClassIndex)) }
      case .denseClass(_, let ignore):
        if !keep { s.labels[task] = Tensor(shape: label.shape, repeating: Float(ignore)) }
      case .denseRegression, .unitVector:
        // Every sample of the task carries a mask, so batches stack; unlabelled ones are all zero.
        let maskShape = [1, label.shape[label.rank - 2], label.shape[label.rank - 1]]
        if keep {
          if s.masks[task] == nil { s.masks[task] = Tensor(shape: maskShape, repeating: 1) }
        } else {
          s.masks[task] = Tensor(shape: s.masks[task]?.shape ?? maskShape, repeating: 0)
        }
      case .softLabel:
        continue
      }
    }
    return s
  }
}
