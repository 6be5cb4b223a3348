import AuxEngine
import AuxNN

extension MultiTaskModel {
  /// Runs the encoder once and each task head on its own ``SharedFeatures`` alias, so that one
  /// backward pass through the heads gives every task's gradient with respect to the features.
  ///
  /// With ``step(tasks:losses:shared:epoch:iteration:optimizer:evaluator:lossTerms:)`` this builds
  /// an ``MTLStep`` by hand, for testing a method's backward on its own; a training loop runs
  /// ``StepDriver`` instead, which also zeroes, clips and steps.
  ///
  /// ```swift
  /// let (shared, outputs) = model.forwardShared(images)
  /// let losses = outputs.indices.map { t in lossFunctions[t](outputs[t], targets[t]) }
  /// let step = try model.step(tasks: tasks, losses: losses, shared: shared, optimizer: adam)
  /// let report = try method.backward(step)
  /// ```
  public func forwardShared(_ input: Tensor) -> (shared: SharedFeatures, outputs: [Tensor]) {
    var shared: SharedFeatures?
    let out = forward(input) { z in
      let s = SharedFeatures(z, taskCount: self.heads.count)
      shared = s
      return s.aliases
    }
    return (shared!, out.outputs)
  }

  /// An ``MTLStep`` over this model: the encoder's parameters are the shared parameters and each
  /// head's parameters are its task's.
  ///
  /// `tasks` must name the model's tasks in head order (roles are the caller's choice).
  ///
  /// - Throws: ``MTLStepError`` when the task names differ from the heads' or the inputs are
  ///   inconsistent (see ``MTLStep/init(tasks:losses:shared:sharedParameters:taskParameters:lastSharedParameters:epoch:iteration:optimizer:evaluator:lossTerms:provided:methodName:)``).
  public func step(
    tasks: [TaskInfo], losses: [Tensor], shared: SharedFeatures?, epoch: Int = 0, iteration: Int = 0,
    optimizer: (any Optimizer)? = nil, evaluator: LossEvaluator? = nil, lossTerms: [[Tensor]]? = nil
  ) throws -> MTLStep {
    guard tasks.names == taskNames else {
      throw MTLStepError("MultiTaskModel.step: tasks [\(tasks.names.joined(separator: ", "))] do not match the model's heads [\(taskNames.joined(separator: ", "))]")
    }
    return try MTLStep(
      tasks: tasks, losses: losses, shared: shared, sharedParameters: encoderParameters, taskParameters: headParameters,
      epoch: epoch, iteration: iteration, optimizer: optimizer, evaluator: evaluator, lossTerms: lossTerms)
  }
}
