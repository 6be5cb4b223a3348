import AuxEngine

/// One batch of a training step, as closures the ``StepDriver`` calls: run the encoder, run the
/// heads on the features and compute each task's loss, and (for look-ahead methods) recompute the
/// losses.
///
/// The driver wraps the encoder's output in ``SharedFeatures`` between the two closures, so the
/// `losses` closure must run task `t`'s head on `shared[t]` (its alias), never on the features
/// themselves.
///
/// ```swift
/// let batch = StepBatch(
///   encode: { model.encoder.features(images) },
///   losses: { shared in [model.heads[0](shared[0], inputSize: size).crossEntropy(target: labels),
///                        model.heads[1](shared[1], inputSize: size).l1Loss(depth)] })
/// ```
public struct StepBatch {
  /// Runs the shared encoder on the batch and returns its output `z` (part of the encoder's
  /// graph).
  public var encode: () throws -> Tensor
  /// Runs each task's head on its alias `shared[t]` and returns one scalar loss per task (and,
  /// optionally, each task's individual loss terms, for `uw-per-objective`).
  public var losses: (SharedFeatures) throws -> TaskLosses
  /// Recomputes the losses with ordinary forward passes (this batch, and a second batch); given to
  /// a method only when it declares ``MethodRequirements/lossEvaluator`` (and the second batch only
  /// with ``MethodRequirements/validationBatch``).
  public var evaluator: LossEvaluator?

  /// A batch whose `losses` closure returns each task's total loss.
  public init(
    encode: @escaping () throws -> Tensor, losses: @escaping (SharedFeatures) throws -> [Tensor],
    evaluator: LossEvaluator? = nil
  ) {
    self.encode = encode
    self.losses = { TaskLosses(try losses($0)) }
    self.evaluator = evaluator
  }

  /// A batch whose `losses` closure also returns each task's loss terms.
  public init(
    encode: @escaping () throws -> Tensor, lossesWithTerms: @escaping (SharedFeatures) throws -> TaskLosses,
    evaluator: LossEvaluator? = nil
  ) {
    self.encode = encode
    self.losses = lossesWithTerms
    self.evaluator = evaluator
  }
}

/// The task losses of one batch: one scalar per task, and optionally each task's terms.
public struct TaskLosses {
  /// One scalar loss per task, recorded for autodiff.
  public var losses: [Tensor]
  /// Each task's individual objective terms (normally `losses[t] = Σ_k terms[t][k]`), or nil.
  public var terms: [[Tensor]]?
  /// A loss that only training-time parts of the model define (seed 004's auxiliary module), or
  /// nil. The ``StepDriver`` adds its gradient, unweighted by the method, to the shared parameters
  /// and to ``ModelSplit/trainingOnlyParameters``; the method never sees it.
  public var trainingOnly: Tensor?

  public init(_ losses: [Tensor], terms: [[Tensor]]? = nil, trainingOnly: Tensor? = nil) {
    self.losses = losses
    self.terms = terms
    self.trainingOnly = trainingOnly
  }
}
