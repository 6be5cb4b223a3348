import AuxEngine
import AuxNN

/// Nash-MTL: Navon, Shamsian, Achituve, Maron, Kawaguchi, Chechik, Fetaya, "Multi-Task Learning
/// as a Bargaining Game", ICML 2022, following `AvivNavon/nash-mtl`
/// (`methods/weight_methods.py`, `NashMTL`).
///
/// Every `update_weights_every` steps the weights are recomputed from the shared-parameter
/// gradients as the Nash bargaining solution `(K α)_t = 1/α_t` (``NashMTLSolver``: a damped
/// Newton method on the Frobenius-normalised Gramian, warm-started from the previous solution;
/// this solves exactly the system the reference approaches with ≤ 20 CCCP/cvxpy iterations).
/// The network is trained on the weighted loss `Σ_t α_t L_t` (type A: the heads' gradients are
/// scaled by α_t too), then the shared parameters' gradient norm is clipped to `max_norm`
/// (`clip_grad_norm_` on the shared parameters, as the reference — this clips the accumulated
/// shared gradients, so zero them before the step). Between updates the previous α is reused and
/// the step costs one backward pass, as in the reference.
///
/// Note: at the solution `‖Σ α_t g_t‖² = αᵀKα = T`, so with the default `max_norm` 1 the shared
/// gradient norm is always clipped to 1 (reference behaviour).
///
/// Options: `update_weights_every` (1), `max_norm` (1.0; 0 disables clipping).
///
/// State: the step counter, the previous α and its normalised form (the warm start), stored
/// exactly. Degenerate steps: tasks with a zero gradient get α_t = 0 (no finite solution); if the
/// system has no solution (e.g. exactly opposite gradients) the previous α is kept — the
/// reference's behaviour when its solver fails — and the report says so.
///
/// Reported: `weight/<task>` = α_t (before clipping, which scales the shared gradient only),
/// `shared_grad_norm` (before clipping).
public final class NashMTL: WeightingMethod {
  /// The registry entry of `nash-mtl`.
  public static let descriptor = MethodDescriptor(
    name: "nash-mtl", title: "Nash-MTL",
    reference: "Navon et al. Multi-Task Learning as a Bargaining Game. ICML 2022. Convention: AvivNavon/nash-mtl (weighted loss, shared-gradient clipping to max_norm 1, update every step); the Nash system solved exactly by damped Newton instead of CCCP.",
    summary: "Weights the losses by the Nash bargaining solution of the tasks' gradients, (Kα)_t = 1/α_t.",
    kind: .lossWeighting, requirements: [.losses, .featureGradients, .parameterGradients, .taskParameters],
    options: [
      OptionSpec("update_weights_every", default: "1", "recompute α every this many steps (reuse it in between)"),
      OptionSpec("max_norm", default: "1.0", "clip the shared gradient norm to this (0: no clipping)"),
    ],
    dataParallel: true, make: { ctx in try NashMTL(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The `update_weights_every` option.
  public let updateWeightsEvery: Int
  /// The `max_norm` option (0: no clipping).
  public let maxNorm: Double
  /// Steps taken so far.
  public private(set) var stepCount = 0
  /// The weights in use (initially ones, as the reference).
  public private(set) var alpha: [Double]
  /// The normalised solution of the last solve (warm start), nil before the first.
  public private(set) var normalizedAlpha: [Double]?

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    updateWeightsEvery = try o.int("update_weights_every", range: 1...1_000_000)
    maxNorm = try o.double("max_norm", range: 0...1e12)
    alpha = [Double](repeating: 1, count: ctx.tasks.count)
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let name = descriptor.name
    _ = try step.requireTaskParameters(name)
    var report = StepReport()
    let update = stepCount % updateWeightsEvery == 0
    if update {
      let (g, k) = try GradientMethodSupport.taskGradients(step, method: name, level: .parameters)
      let sol = NashMTLSolver.solve(gramian: k, warmStart: normalizedAlpha)
      report.values["solver_iterations"] = Float(sol.iterations)
      if sol.converged {
        alpha = sol.weights
        normalizedAlpha = sol.normalizedWeights
        report.record(SolverStatus(solver: "nash newton", converged: true, iterations: sol.iterations))
        if !sol.zeroTasks.isEmpty {
          report.notes.append("zero gradient for \(sol.zeroTasks.map { "'\(tasks[$0].name)'" }.joined(separator: ", ")): no finite Nash weight, weight 0")
        }
      } else {
        report.record(SolverStatus(
          solver: "nash newton", converged: false, iterations: sol.iterations,
          fallback: "the Nash system (Kα)_t = 1/α_t has no solution this step (e.g. opposite gradients); kept the previous weights"))
      }
      for t in 0..<tasks.count { try step.scaleTaskParameterGradients(t, by: Float(alpha[t])) }
      try step.applySharedGradient(g.combine(alpha), level: .parameters)
    } else {
      _ = try step.requireShared(name)
      var objective: Tensor? = nil
      for (t, l) in step.losses.enumerated() {
        let term = l.reshaped([]) * Float(alpha[t])
        objective = objective.map { $0 + term } ?? term
      }
      let h = step.backwardDecoders(objective!)
      var sum = h[0]
      for x in h.dropFirst() { sum = sum + x }
      try step.backwardEncoder(sum)
    }
    stepCount += 1
    let norm = maxNorm > 0 ? try step.clipSharedGradientNorm(maxNorm) : try step.sharedGradientNorm()
    report.values["shared_grad_norm"] = Float(norm)
    report.values["updated"] = update ? 1 : 0
    report.set("weight", alpha.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = [
      "step": ExactStateCoding.encode(count: stepCount),
      "alpha": ExactStateCoding.encode(doubles: alpha),
    ]
    if let a = normalizedAlpha { out["normalized_alpha"] = ExactStateCoding.encode(doubles: a) }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let n = tasks.count
    guard let st = state["step"], let at = state["alpha"] else {
      throw MTLStepError("nash-mtl state: expected 'step' (1 word) and 'alpha' (\(n) doubles) as exact encodings")
    }
    let s = try ExactStateCoding.decodeCount(st, key: "step")
    let a = try ExactStateCoding.decodeDoubles(at, key: "alpha", expectedCount: n)
    var normalized: [Double]? = nil
    if let t = state["normalized_alpha"] {
      normalized = try ExactStateCoding.decodeDoubles(t, key: "normalized_alpha", expectedCount: n)
    }
    stepCount = s
    alpha = a
    normalizedAlpha = normalized
  }
}
