/// A finite, indexable set of multi-task examples.
///
/// Every dataset of auxmtl (Fashion-MNIST task sets, the procedural `scenes` benchmark, NYUv2,
/// Cityscapes, multi-domain CIFAR-100) conforms, so loaders, training and evaluation treat them
/// alike. `sample(at:)` must be deterministic for a given index and safe to call from a loader's
/// background thread (datasets are immutable after creation, or synchronise internally).
public protocol MultiTaskDataset: Sendable {
  /// A short name for logs (e.g. `"scenes-train"`).
  var name: String { get }
  /// Number of examples.
  var count: Int { get }
  /// The tasks every sample carries a label for, in a fixed order.
  var tasks: [TaskLabelSpec] { get }
  /// The shape of every sample's image, `[C, H, W]`.
  var imageShape: [Int] { get }
  /// The example at `index` (`0..<count`).
  func sample(at index: Int) throws -> Sample
  /// How dense labels follow spatial augmentation, by task name, where a task needs something
  /// other than ``DenseLabelPolicy/default(for:)`` (e.g. depth divided by the zoom factor).
  /// Defaults to none.
  var denseLabelPolicies: [String: DenseLabelPolicy] { get }
}
