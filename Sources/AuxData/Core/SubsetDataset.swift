/// A view of some samples of another dataset, in a given order (PyTorch's `Subset`).
public struct SubsetDataset: MultiTaskDataset {
  /// The dataset this is a view of.
  public let base: any MultiTaskDataset
  /// Indices into `base`.
  public let indices: [Int]

  public init(_ base: any MultiTaskDataset, indices: [Int]) {
    for i in indices {
      precondition(i >= 0 && i < base.count, "SubsetDataset: index \(i) out of range 0..<\(base.count) of '\(base.name)'")
    }
    self.base = base
    self.indices = indices
  }

  /// The first `n` samples of `base` (all of them when it has fewer).
  public init(_ base: any MultiTaskDataset, first n: Int) {
    self.init(base, indices: Array(0..<min(max(n, 0), base.count)))
  }

  public var name: String { "\(base.name)[\(indices.count)]" }
  public var count: Int { indices.count }
  public var tasks: [TaskLabelSpec] { base.tasks }
  public var imageShape: [Int] { base.imageShape }
  public var denseLabelPolicies: [String: DenseLabelPolicy] { base.denseLabelPolicies }
  public func sample(at index: Int) throws -> Sample { try base.sample(at: indices[index]) }
}
