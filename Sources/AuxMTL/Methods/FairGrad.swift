import AuxEngine
import AuxNN

/// FairGrad: Ban, Ji, "Fair Resource Allocation in Multi-Task Learning", ICML 2024; conventions of
/// `OptMN-Lab/fairgrad` as ported to LibMTL (`FairGrad`) and torchjd (`FairGrad`).
///
/// Each step the per-task gradients' Gramian `K` gives the α-fair weights `w > 0` with
/// `(K w)_t = w_t^{−1/α}` (``FairGradSolver``, exact), and the network is trained on the weighted
/// loss `Σ_t w_t L_t` (type A: heads get `w_t` too, as `torch.sum(w * losses).backward()` in the
/// reference). α = 1 is Nash-MTL's system; larger α pushes towards equal per-task progress
/// (max–min fairness as α → ∞).
///
/// Options: `alpha` (1.0, LibMTL's default), `level` (parameters, as LibMTL; representation gives
/// the same weighting on `∂L_t/∂z`).
///
/// Solver status: every step records a ``SolverStatus`` (converged, Newton iterations, relative
/// residual) and reports `solver_iterations`. When the system has no solution (e.g. exactly
/// opposite gradients) the previous step's weights are used (uniform `1/T`, the reference's
/// starting point, before the first solve): this fallback is never silent — the status carries it
/// (a note too) and the training loop counts such steps (``SolverCounts``). A task with a zero
/// gradient gets weight 0 (no finite solution), with a note.
///
/// Reported: `weight/<task>` = `w_t`.
public final class FairGrad: WeightingMethod {
  /// The registry entry of `fairgrad`.
  public static let descriptor = MethodDescriptor(
    name: "fairgrad", title: "FairGrad (α-fair resource allocation)",
    reference: "Ban, Ji. Fair Resource Allocation in Multi-Task Learning. ICML 2024. Convention: OptMN-Lab/fairgrad via LibMTL FairGrad (α = 1, parameter level, weighted loss Σ w_t L_t); the system (K w)_t = w_t^(−1/α) solved exactly by damped Newton instead of SciPy least_squares.",
    summary: "Weights the losses by the α-fair allocation of the tasks' gradients, (Kw)_t = w_t^(−1/α).",
    kind: .lossWeighting, requirements: [.losses, .featureGradients, .parameterGradients, .taskParameters],
    options: [
      OptionSpec("alpha", default: "1.0", "fairness α > 0 (1: proportional fairness, as Nash-MTL; large: max-min fairness)"),
      GradientMethodSupport.levelOption(default: .parameters),
    ],
    make: { ctx in try FairGrad(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The fairness α.
  public let alpha: Double
  /// Where the gradients are taken.
  public let level: GradientLevel
  /// The weights in use (the last solution).
  public private(set) var weights: [Double]
  /// The normalised last solution (the solver's warm start), nil before the first.
  public private(set) var normalizedWeights: [Double]?

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    alpha = try o.double("alpha", range: 1e-3...1e3)
    level = try GradientMethodSupport.level(&o)
    resolvedOptions = o.resolved
    weights = [Double](repeating: 1 / Double(ctx.tasks.count), count: ctx.tasks.count)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let name = descriptor.name
    _ = try step.requireTaskParameters(name)
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: name, level: level)
    var report = StepReport()
    let sol = FairGradSolver.solve(gramian: k, alpha: alpha, warmStart: normalizedWeights)
    report.values["solver_iterations"] = Float(sol.iterations)
    if sol.converged {
      weights = sol.weights
      normalizedWeights = sol.normalizedWeights
      report.record(SolverStatus(solver: "fairgrad newton", converged: true, iterations: sol.iterations, residual: sol.residual))
      if !sol.zeroTasks.isEmpty {
        report.notes.append("zero gradient for \(sol.zeroTasks.map { "'\(tasks[$0].name)'" }.joined(separator: ", ")): no finite FairGrad weight, weight 0")
      }
    } else {
      report.record(SolverStatus(
        solver: "fairgrad newton", converged: false, iterations: sol.iterations, residual: sol.residual,
        fallback: "the system (Kw)_t = w_t^(-1/α) has no solution this step (e.g. opposite gradients); used the previous weights"))
    }
    for t in 0..<tasks.count { try step.scaleTaskParameterGradients(t, by: Float(weights[t])) }
    try step.applySharedGradient(g.combine(weights), level: level)
    report.set("weight", weights.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = ["weights": ExactStateCoding.encode(doubles: weights)]
    if let w = normalizedWeights { out["normalized_weights"] = ExactStateCoding.encode(doubles: w) }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let n = tasks.count
    guard let wt = state["weights"] else {
      throw MTLStepError("fairgrad state: expected 'weights' (\(n) doubles) as an exact encoding")
    }
    let w = try ExactStateCoding.decodeDoubles(wt, key: "weights", expectedCount: n)
    let nw = try state["normalized_weights"].map { try ExactStateCoding.decodeDoubles($0, key: "normalized_weights", expectedCount: n) }
    weights = w
    normalizedWeights = nw
  }
}
