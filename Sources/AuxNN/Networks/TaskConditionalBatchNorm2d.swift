import AuxEngine

/// One ``BatchNorm2d`` per task, chosen by task index at each call (Auto-Lambda's
/// `ConditionalBatchNorm2d`).
///
/// The layers are registered as `bn_list.0` … `bn_list.<T−1>`, Auto-Lambda's names. Each task's
/// layer keeps its own affine parameters and running statistics, so one encoder serves several
/// input domains (multi-domain CIFAR-100).
public final class TaskConditionalBatchNorm2d: Module {
  /// The per-task layers.
  public let layers: [BatchNorm2d]
  /// Channels normalised.
  public let numFeatures: Int

  /// One `BatchNorm2d(numFeatures)` per task, with PyTorch's defaults.
  public init(_ numFeatures: Int, tasks: Int) {
    precondition(tasks > 0, "TaskConditionalBatchNorm2d: the number of tasks must be positive, got \(tasks)")
    self.numFeatures = numFeatures
    layers = (0..<tasks).map { _ in BatchNorm2d(numFeatures) }
    super.init()
    let list = Module()
    for (i, l) in layers.enumerated() { list.registerModule(String(i), l) }
    registerModule("bn_list", list)
  }

  /// Normalises `x` with task `task`'s layer.
  public func callAsFunction(_ x: Tensor, task: Int) -> Tensor {
    precondition(
      layers.indices.contains(task),
      "TaskConditionalBatchNorm2d(\(numFeatures)): task index \(task) outside 0..<\(layers.count) (input \(x.shape))")
    return layers[task](x)
  }
}
