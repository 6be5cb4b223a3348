/// A dataset whose labels of some tasks carry controlled noise (``LabelNoise``); images, masks
/// and the other tasks' labels are those of the base dataset.
///
/// Sample `i`'s noise is drawn from a generator seeded by `seed`, the task's name and `i`, so a
/// sample always carries the same noisy label, whichever loader thread reads it and whenever.
///
/// ```swift
/// let noisy = try NoisyLabelDataset(train, noise: ["depth": LabelNoise(parsing: "blocks:0.3")], seed: 0)
/// ```
public struct NoisyLabelDataset: MultiTaskDataset {
  public let base: any MultiTaskDataset
  /// The noise per task name.
  public let noise: [String: LabelNoise]
  public let seed: UInt64
  private let kinds: [String: LabelKind]
  private let order: [String]

  /// - Throws: ``DatasetError`` when a task is not in the dataset or its noise does not apply to
  ///   its kind of label.
  public init(_ base: any MultiTaskDataset, noise: [String: LabelNoise], seed: UInt64) throws {
    var kinds: [String: LabelKind] = [:]
    for (name, n) in noise {
      guard let spec = base.tasks.first(where: { $0.name == name }) else {
        throw DatasetError("label noise on task '\(name)': the dataset '\(base.name)' has tasks \(base.tasks.map(\.name).joined(separator: ", "))")
      }
      try n.check(for: spec)
      kinds[name] = spec.kind
    }
    self.base = base
    self.noise = noise
    self.seed = seed
    self.kinds = kinds
    order = noise.keys.sorted()
  }

  public var name: String { "\(base.name)+noise" }
  public var count: Int { base.count }
  public var tasks: [TaskLabelSpec] { base.tasks }
  public var imageShape: [Int] { base.imageShape }
  public var denseLabelPolicies: [String: DenseLabelPolicy] { base.denseLabelPolicies }

  public func sample(at index: Int) throws -> Sample {
    var s = try base.sample(at: index)
    for task in order {
      guard let label = s.labels[task], let n = noise[task], let kind = kinds[task] else { continue }
      var rng = SeedMixing.generator(seed, SeedMixing.code("label-noise"), SeedMixing.code(task), UInt64(index))
      s.labels[task] = try n.apply(to: label, kind: kind, mask: s.masks[task], rng: &rng)
    }
    return s
  }
}
