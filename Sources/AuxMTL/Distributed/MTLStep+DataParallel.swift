import AuxEngine
import AuxNN

/// The statistics of a data-parallel step: what a method computes from the task gradients, taken
/// over the whole global batch on every rank.
///
/// With `R` ranks holding equal shards of a global batch and batch-mean losses, the global loss is
/// the mean of the ranks' losses, so the global batch's feature gradient of task `t`, restricted to
/// rank `r`'s samples, is `h_t^r / R` (`h_t^r` the rank's own ``MTLStep/backwardDecoders(_:)``
/// result). Sums over the feature dimension are then sums over ranks:
/// `⟨h_s, h_t⟩ = Σ_r ⟨h_s^r, h_t^r⟩ / R²`. Each primitive below all-reduces these (T² or T
/// doubles) when the step's ``MTLStep/communicator`` has more than one rank and is the plain local
/// computation otherwise, so a method written with them computes the same weights on every rank
/// as one process does on the global batch; it then combines its own rank's `h_t^r` with them and
/// back-propagates locally, and the ``StepDriver`` averages the parameter gradients.
extension MTLStep {
  /// The Gramian `K[s][t] = ⟨g_s, g_t⟩` of the global batch's task gradients.
  ///
  /// At the representation level the rows are this rank's feature-gradient shards (the local
  /// Gramians are summed over ranks and divided by `R²`); at the parameter level the rows of
  /// ``taskGradients(level:featureGradients:)`` are already the global batch's gradients, so the
  /// Gramian is local.
  ///
  /// - Throws: ``CommunicatorError`` when the all-reduce fails.
  public func gramian(_ g: TaskGradients) throws -> [[Double]] {
    let k = g.gramian()
    guard communicator.size > 1, g.level == .representation else { return k }
    let t = k.count
    var flat = k.flatMap { $0 }
    try communicator.allReduceSum(&flat)
    let scale = 1 / Double(communicator.size * communicator.size)
    return (0..<t).map { i in (0..<t).map { j in flat[i * t + j] * scale } }
  }

  /// `‖h‖²` of each of `features` (feature-shaped tensors: feature gradients of this rank's
  /// shard, or combinations of them) over the global batch.
  ///
  /// - Throws: ``CommunicatorError`` when the all-reduce fails.
  public func featureSquaredNorms(_ features: [Tensor]) throws -> [Double] {
    var s = features.map { FeatureMath.dot($0, $0) }
    if communicator.size > 1 {
      try communicator.allReduceSum(&s)
      let scale = 1 / Double(communicator.size * communicator.size)
      s = s.map { $0 * scale }
    }
    return s
  }

  /// `‖h‖` of each of `features` over the global batch (see ``featureSquaredNorms(_:)``).
  public func featureNorms(_ features: [Tensor]) throws -> [Double] {
    try featureSquaredNorms(features).map { $0.squareRoot() }
  }

  /// Replaces every shared parameter's gradient with its mean over the ranks, so that a method
  /// reading the shared gradient (its norm, for clipping) sees the global batch's. A no-op with
  /// one rank. Gradients that are already the global batch's (identical on every rank) keep
  /// their value; the driver's final average leaves them so too.
  ///
  /// - Throws: ``CommunicatorError`` when the all-reduce fails.
  public func reduceSharedGradients() throws {
    guard communicator.size > 1 else { return }
    try GradientAveraging.average(sharedParameters, over: communicator)
  }
}
