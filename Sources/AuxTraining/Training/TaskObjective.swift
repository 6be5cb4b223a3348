import AuxData
import AuxEngine
import AuxMTL
import AuxNN

/// A task as the trainer sees it: what its head outputs, its loss and its metrics, all decided by
/// the kind of its label.
///
/// | label kind | head output | loss | metrics (main first) |
/// | --- | --- | --- | --- |
/// | class index | `[N, C]` logits | cross-entropy | accuracy |
/// | dense class map | `[N, C, H, W]` logits | cross-entropy ignoring the ignore index | mIoU, pixel accuracy (two classes, e.g. edges: also F, precision, recall of class 1 at p ≥ 0.5) |
/// | dense regression | `[N, ch, H, W]` | L1 over valid pixels | abs err, rel err (zero targets skipped), RMSE; image targets (denoise): MAE, RMSE, PSNR |
/// | unit vectors | `[N, 3, H, W]`, L2-normalised | 1 − cosine over valid pixels | mean, median angle, % within 11.25°/22.5°/30° |
/// | soft label | `[N, C]` logits | soft cross-entropy | accuracy against the most likely class |
///
/// These are the losses of MTAN/LibMTL/Auto-Lambda for NYUv2-style tasks.
public struct TaskObjective: Sendable {
  public let spec: TaskLabelSpec
  public let role: TaskRole
  /// The metric Δm, early stopping and model selection use (e.g. `"mIoU"`).
  public let mainMetric: String

  /// The task as a weighting method knows it.
  public var info: TaskInfo { TaskInfo(spec.name, role: role) }
  public var name: String { spec.name }

  /// Channels (or classes) the task's head must output.
  public var outputChannels: Int {
    switch spec.kind {
    case .classIndex(let c), .softLabel(let c), .denseClass(let c, _): c
    case .denseRegression(let ch): ch
    case .unitVector: 3
    }
  }

  /// Whether the head predicts a map (upsampled to the input size) rather than a vector.
  public var isDense: Bool { spec.kind.isDense }

  /// The default main metric of a task.
  public static func defaultMainMetric(for spec: TaskLabelSpec) -> String {
    if case .denseRegression = spec.kind, case .image = spec.regressionMetrics { return "mae" }
    return defaultMainMetric(for: spec.kind)
  }

  /// The metric names a task reports.
  public static func metricNames(for spec: TaskLabelSpec) -> [String] {
    if case .denseRegression = spec.kind, case .image = spec.regressionMetrics { return ["mae", "rmse", "psnr"] }
    return metricNames(for: spec.kind)
  }

  /// The default main metric of a label kind (depth-like errors for dense regression).
  public static func defaultMainMetric(for kind: LabelKind) -> String {
    switch kind {
    case .classIndex, .softLabel: "accuracy"
    case .denseClass: "mIoU"
    case .denseRegression: "absErr"
    case .unitVector: "mean"
    }
  }

  /// The metric names a label kind reports (depth-like errors for dense regression).
  public static func metricNames(for kind: LabelKind) -> [String] {
    switch kind {
    case .classIndex, .softLabel: ["accuracy"]
    case .denseClass(2, _): ["mIoU", "pixelAccuracy", "F", "precision", "recall"]
    case .denseClass: ["mIoU", "pixelAccuracy"]
    case .denseRegression: ["absErr", "relErr", "rmse"]
    case .unitVector: ["mean", "median", "within11.25", "within22.5", "within30"]
    }
  }

  /// A task objective; `mainMetric` defaults to the kind's usual metric.
  ///
  /// - Throws: ``TrainingError`` when `mainMetric` is not a metric of this kind.
  public init(spec: TaskLabelSpec, role: TaskRole, mainMetric: String? = nil) throws {
    self.spec = spec
    self.role = role
    let allowed = Self.metricNames(for: spec)
    let main = mainMetric ?? Self.defaultMainMetric(for: spec)
    guard allowed.contains(main) else {
      throw TrainingError("tasks.main_metric for '\(spec.name)' (\(spec.kind)): '\(main)' is not one of its metrics \(allowed.joined(separator: ", "))")
    }
    self.mainMetric = main
  }

  /// The head output the loss and the metrics see (unit vectors are normalised).
  public func prediction(_ output: Tensor) -> Tensor {
    if case .unitVector = spec.kind { return output.normalized(axis: 1) }
    return output
  }

  /// The task's loss on a batch, from the head's raw output.
  public func loss(_ output: Tensor, batch: Batch) throws -> Tensor {
    guard let target = batch.labels[spec.name] else {
      throw TrainingError("batch has no label for task '\(spec.name)' (it has \(batch.labels.keys.sorted().joined(separator: ", ")))")
    }
    let n = output.shape[0]
    switch spec.kind {
    case .classIndex:
      return Losses.crossEntropy(output, target.reshaped([n]), ignoreIndex: ScarceLabelDataset.missingClassIndex)
    case .softLabel:
      return Losses.crossEntropy(output, softTarget: target)
    case .denseClass(_, let ignore):
      return Losses.crossEntropy(output, target, ignoreIndex: ignore)
    case .denseRegression:
      return Losses.l1(output, target, mask: batch.masks[spec.name])
    case .unitVector:
      return Losses.cosineDistance(prediction(output), target, axis: 1, mask: batch.masks[spec.name])
    }
  }

  /// Whether `batch` holds at least one valid label of this task: a class index other than
  /// ``AuxData/ScarceLabelDataset/missingClassIndex``, a pixel other than the ignore index, a
  /// non-zero validity mask. (A batch without one has a zero loss and no gradient.)
  public func hasLabels(in batch: Batch) -> Bool {
    guard let target = batch.labels[spec.name] else { return false }
    switch spec.kind {
    case .softLabel:
      return true
    case .classIndex:
      let missing = Float(ScarceLabelDataset.missingClassIndex)
      return target.withUnsafeBufferPointer { $0.contains { $0 != missing } }
    case .denseClass(_, let ignore):
      let ignored = Float(ignore)
      return target.withUnsafeBufferPointer { $0.contains { $0 != ignored } }
    case .denseRegression, .unitVector:
      guard let mask = batch.masks[spec.name] else { return true }
      return mask.withUnsafeBufferPointer { $0.contains { $0 != 0 } }
    }
  }

  /// A fresh metric accumulator for this task.
  public func makeMetric() -> any Metric {
    switch spec.kind {
    case .classIndex(let c), .softLabel(let c): AccuracyMetric(classes: c)
    case .denseClass(2, let ignore): BinaryMapMetric(ignoreIndex: ignore)
    case .denseClass(let c, let ignore): SegmentationMetric(classes: c, ignoreIndex: ignore)
    case .denseRegression:
      switch spec.regressionMetrics {
      case .depth: DepthMetric()
      case .image(let peak): ImageRegressionMetric(peak: peak)
      }
    case .unitVector: NormalMetric()
    }
  }

  /// Adds a batch's predictions to `metric`.
  public func update(_ metric: inout any Metric, output: Tensor, batch: Batch) {
    guard let target = batch.labels[spec.name] else { return }
    let p = prediction(output).detached()
    switch spec.kind {
    case .softLabel:
      metric.update(predictions: p, targets: target.argmax(axis: 1), masks: nil)
    case .classIndex:
      metric.update(predictions: p, targets: target.reshaped([target.shape[0]]), masks: nil)
    default:
      metric.update(predictions: p, targets: target, masks: batch.masks[spec.name])
    }
  }
}

/// A training run that cannot go on: bad configuration, missing data, inconsistent state.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
