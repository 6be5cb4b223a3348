import AuxEngine
import AuxNN

extension StepBatch {
  /// A batch for a ``AuxNN/MultiTaskModel``: the encoder runs on `input` (`[N, C, H, W]`), each
  /// head on its task's feature alias, and `losses` turns the heads' outputs (in task order) into
  /// one scalar loss per task.
  ///
  /// ```swift
  /// let batch = StepBatch(model: model, input: images) { outputs in
  ///   [outputs[0].crossEntropy(target: labels), outputs[1].l1Loss(depth)]
  /// }
  /// ```
  ///
  /// - Parameter evaluator: for look-ahead methods; see ``StepBatch/evaluator``.
  public init(
    model: MultiTaskModel, input: Tensor, evaluator: LossEvaluator? = nil,
    losses: @escaping ([Tensor]) throws -> [Tensor]
  ) {
    self.init(
      encode: {
        guard input.rank == 4 else {
          throw MTLStepError("StepBatch: input of shape \(input.shape) must be [N, C, H, W]")
        }
        return model.encoder.features(input)
      },
      losses: { shared in
        let size = Size2D(input.shape[2], input.shape[3])
        return try losses(model.heads.indices.map { t in model.heads[t](shared[t], inputSize: size) })
      },
      evaluator: evaluator)
  }
}
