import AuxEngine

/// The global batch's losses in a data-parallel step.
///
/// Each rank computes batch-mean losses on its equal shard, so the global batch's loss is their
/// mean over the ranks. ``globalize(_:terms:over:)`` all-reduces the values (in Double, one
/// buffer) and gives back, for each loss, a tensor whose **value** is the global loss and whose
/// **gradient** flows into the rank's own loss unchanged. A method then forms its objective from
/// the global values (every loss-dependent weight, uncertainty term or normalisation is the one a
/// single process computes), and back-propagating it puts `f'(L̄) · ∂L^r/∂θ` into the gradient
/// slots, whose mean over the ranks is the global batch's gradient `f'(L̄) · ∂L̄/∂θ`.
enum GlobalLosses {
  /// The losses (and, when given, each task's loss terms) with their global values.
  ///
  /// - Throws: ``CommunicatorError`` when the all-reduce fails.
  static func globalize(_ losses: [Tensor], terms: [[Tensor]]?, over communicator: any Communicator) throws -> ([Tensor], [[Tensor]]?) {
    guard communicator.size > 1 else { return (losses, terms) }
    let flatTerms = terms?.flatMap { $0 } ?? []
    // Non-scalar losses are left for MTLStep to refuse with its message.
    guard (losses + flatTerms).allSatisfy({ $0.count == 1 }) else { return (losses, terms) }
    var values = (losses + flatTerms).map { Double($0.item) }
    try communicator.allReduceMean(&values)
    let global = zip(losses + flatTerms, values).map { substitute($0, value: Float($1)) }
    let newLosses = Array(global.prefix(losses.count))
    guard let terms else { return (newLosses, nil) }
    var rest = global.dropFirst(losses.count)
    var newTerms: [[Tensor]] = []
    for t in terms {
      newTerms.append(Array(rest.prefix(t.count)))
      rest = rest.dropFirst(t.count)
    }
    return (newLosses, newTerms)
  }

  /// A tensor of `local`'s shape holding `value`, whose gradient passes to `local` as is.
  static func substitute(_ local: Tensor, value: Float) -> Tensor {
    let out = Tensor(shape: local.shape, repeating: value)
    return Tensor.record("globalBatchLoss", output: out, inputs: [local]) { upstream, needs in
      [needs[0] ? upstream : nil]
    }
  }
}
