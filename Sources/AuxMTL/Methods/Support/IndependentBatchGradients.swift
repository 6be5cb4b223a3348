import AuxEngine
import AuxNN

/// The per-task shared-parameter gradients of three independent mini-batches, as MoDo and SDMGrad
/// use them: two to estimate `J₁ J₂ᵀ` for the weights, the step's own batch for the update.
///
/// The step's batch `ζ` is the one the training loop ran (its decoder pass is taken here, with
/// unit weights); the other two, `ξ` and `ξ′`, come from two calls of
/// ``LossEvaluator/validationLosses`` (the trainer's second shuffled stream over the training set,
/// which yields a new batch per call). Each task head receives the mean of the three batches'
/// gradients of its loss (LibMTL's MoDo divides the accumulated head gradients by 3).
struct IndependentBatchGradients {
  /// `J_ξ`, `J_ξ′` and `J_ζ`.
  let first: TaskGradients
  let second: TaskGradients
  let update: TaskGradients

  /// Collects the three Jacobians and leaves the heads' mean gradients in their gradient slots.
  static func collect(_ step: MTLStep, method: String) throws -> IndependentBatchGradients {
    let heads = try step.requireTaskParameters(method)
    guard let validation = step.evaluator?.validationLosses else {
      throw MTLStepError("\(method): needs `evaluator:` with `validationLosses` (two more independent batches per step)")
    }
    let (update, _) = try GradientMethodSupport.taskGradients(step, method: method, level: .parameters)
    let n = step.tasks.count
    for t in 0..<n { try step.scaleTaskParameterGradients(t, by: 1.0 / 3) }
    let shared = step.sharedParameters
    let d = update.dimension
    var extra: [TaskGradients] = []
    for batch in 0..<2 {
      let losses = try validation()
      guard losses.count == n else {
        throw MTLStepError("\(method): the evaluator returned \(losses.count) validation losses for \(n) tasks")
      }
      var m = Tensor.zeros([n, d])
      var reached = false
      for t in 0..<n where losses[t].requiresGrad {
        let wrt = shared.map(\.value) + heads[t].map(\.value)
        let grads = Autograd.gradients(of: [losses[t].reshaped([])], wrt: wrt, retainGraph: t < n - 1)
        m.withUnsafeMutableBufferPointer { dst in
          var offset = t * d
          for (k, p) in shared.enumerated() {
            if let g = grads[k] {
              reached = true
              g.withUnsafeBufferPointer { src in (dst.baseAddress! + offset).update(from: src.baseAddress!, count: p.value.count) }
            }
            offset += p.value.count
          }
        }
        for (k, p) in heads[t].enumerated() {
          guard let g = grads[shared.count + k] else { continue }
          let third = g * Float(1.0 / 3)
          p.grad = p.grad.map { $0 + third } ?? third
        }
      }
      if !reached && losses.contains(where: \.requiresGrad) {
        throw MTLStepError("\(method): the validation losses (batch \(batch + 1)) do not reach any shared parameter; the evaluator must run the model with an ordinary forward pass (no SharedFeatures aliases)")
      }
      let g = TaskGradients(level: .parameters, matrix: m)
      try GradientMethodSupport.checkFinite(g.gramian(), method: method, tasks: step.tasks)
      extra.append(g)
    }
    return IndependentBatchGradients(first: extra[0], second: extra[1], update: update)
  }
}
