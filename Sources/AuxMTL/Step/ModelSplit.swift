import AuxNN

/// A multi-task model as a training step sees it: the shared encoder's parameters and each task
/// head's parameters.
///
/// The split is what lets a weighting method tell shared gradients from task gradients. Only the
/// parameter sets are kept; how the model runs on a batch is the ``StepBatch``'s business.
///
/// ```swift
/// let split = ModelSplit(model)   // a MultiTaskModel: encoder.…, heads.<task>.…
/// ```
public struct ModelSplit {
  /// The shared (encoder) parameters. Those that do not require a gradient are left out of each
  /// step.
  public var sharedParameters: [Parameter]
  /// Each task head's parameters, in task order (disjoint sets).
  public var taskParameters: [[Parameter]]
  /// The last shared layer's parameters (GradNorm's `W`); nil picks the last shared parameter of
  /// rank ≥ 2.
  public var lastSharedParameters: [Parameter]?
  /// Parameters of training-only parts (seed 004's auxiliary module): they receive only the
  /// gradient of ``TaskLosses/trainingOnly``.
  public var trainingOnlyParameters: [Parameter]

  /// A split from explicit parameter sets.
  public init(
    sharedParameters: [Parameter], taskParameters: [[Parameter]], lastSharedParameters: [Parameter]? = nil,
    trainingOnlyParameters: [Parameter] = []
  ) {
    self.sharedParameters = sharedParameters
    self.taskParameters = taskParameters
    self.lastSharedParameters = lastSharedParameters
    self.trainingOnlyParameters = trainingOnlyParameters
  }

  /// The split of a ``AuxNN/MultiTaskModel``: its encoder's parameters are shared, each head's
  /// parameters are its task's.
  public init(_ model: MultiTaskModel) {
    self.init(sharedParameters: model.encoderParameters, taskParameters: model.headParameters)
  }

  /// Number of tasks (heads).
  public var taskCount: Int { taskParameters.count }
}
