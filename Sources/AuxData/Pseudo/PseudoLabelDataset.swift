import AuxEngine

/// The labels of one pseudo task over a whole split: the task and one label per sample.
public struct PseudoLabelSet: Sendable {
  /// The new task (its name and kind of label).
  public let spec: TaskLabelSpec
  /// `[N, …]`: sample `i`'s label is `labels[i]` (`[H, W]` class maps, `[C]` distributions,
  /// `[ch, H, W]` maps).
  public let labels: Tensor

  public init(spec: TaskLabelSpec, labels: Tensor) {
    self.spec = spec
    self.labels = labels
  }
}

/// A dataset with extra tasks whose labels were made by a teacher (pseudo labels), appended after
/// the base dataset's tasks; images and the base tasks' labels are the base dataset's.
///
/// Dense regression and unit-vector pseudo labels are valid at every pixel (their masks are ones).
/// Augmentation transforms pseudo labels like any label of their kind, because they are labels of
/// the sample.
public struct PseudoLabelDataset: MultiTaskDataset {
  public let base: any MultiTaskDataset
  public let sets: [PseudoLabelSet]

  /// - Throws: ``DatasetError`` when a set's task name is already a task of `base` (or repeated),
  ///   or its labels do not have one entry per sample.
  public init(_ base: any MultiTaskDataset, sets: [PseudoLabelSet]) throws {
    var names = Set(base.tasks.map(\.name))
    for s in sets {
      guard names.insert(s.spec.name).inserted else {
        throw DatasetError("pseudo task '\(s.spec.name)': the dataset '\(base.name)' already has a task of that name (its tasks: \(base.tasks.map(\.name).joined(separator: ", "))); choose another name")
      }
      guard s.labels.rank >= 2, s.labels.shape[0] == base.count else {
        throw DatasetError("pseudo task '\(s.spec.name)': expected one label per sample of '\(base.name)' (\(base.count)), found labels of shape \(s.labels.shape)")
      }
    }
    self.base = base
    self.sets = sets
  }

  public var name: String { "\(base.name)+pseudo" }
  public var count: Int { base.count }
  public var tasks: [TaskLabelSpec] { base.tasks + sets.map(\.spec) }
  public var imageShape: [Int] { base.imageShape }
  public var denseLabelPolicies: [String: DenseLabelPolicy] { base.denseLabelPolicies }

  public func sample(at index: Int) throws -> Sample {
    var s = try base.sample(at: index)
    for set in sets {
      let shape = Array(set.labels.shape.dropFirst())
      let n = shape.reduce(1, *)
      var label = Tensor.uninitialized(shape)
      set.labels.withUnsafeBufferPointer { src in
        label.withUnsafeMutableBufferPointer { dst in dst.baseAddress!.update(from: src.baseAddress! + index * n, count: n) }
      }
      s.labels[set.spec.name] = label
      switch set.spec.kind {
      case .denseRegression, .unitVector:
        s.masks[set.spec.name] = Tensor.ones([1, shape[shape.count - 2], shape[shape.count - 1]])
      default:
        break
      }
    }
    return s
  }
}
