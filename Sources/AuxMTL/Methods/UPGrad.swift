import AuxEngine
import AuxNN

/// UPGrad: Quinton, Rey, "Jacobian Descent for Multi-Objective Optimization", arXiv 2406.16232
///, following torchjd 0.18's `UPGrad` with its default settings.
///
/// Each task gradient is projected onto the dual cone of all task gradients (the set of
/// directions that conflict with none of them), and the projections are averaged:
/// `α = Σ_i v⁽ⁱ⁾`, `v⁽ⁱ⁾ = argmin_{v ≥ e_i/T} vᵀ K̃ v` with `K̃` the trace-normalised,
/// regularised Gramian (``UPGradSolver``; T small QPs solved exactly by our active-set solver,
/// where torchjd calls quadprog). The shared parameters receive `Σ_t α_t g_t`, the task heads the
/// gradient of `Σ_t L_t` (type B). Parameter level.
///
/// Options: `norm_eps` (1e-4: when `trace K < norm_eps` — an absolute threshold, as torchjd —
/// the Gramian is treated as zero and α = 1/T, i.e. the mean gradient), `reg_eps` (1e-4, added
/// to the diagonal of the normalised Gramian).
///
/// Reported: `weight/<task>` = α_t.
public final class UPGrad: WeightingMethod {
  /// The registry entry of `upgrad`.
  public static let descriptor = MethodDescriptor(
    name: "upgrad", title: "UPGrad",
    reference: "Quinton, Rey. Jacobian Descent for Multi-Objective Optimization. arXiv 2406.16232, 2024. Convention: torchjd 0.18 UPGrad (uniform preference, trace normalisation, norm_eps = reg_eps = 1e-4); QPs solved by our active-set solver; parameter level.",
    summary: "Projects every task gradient onto the dual cone of all task gradients and averages the projections, so the update conflicts with no task.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [
      OptionSpec("norm_eps", default: "1e-4", "trace of the Gramian below which it is treated as zero"),
      OptionSpec("reg_eps", default: "1e-4", "added to the diagonal of the trace-normalised Gramian"),
    ],
    make: { ctx in try UPGrad(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The `norm_eps` option.
  public let normEps: Double
  /// The `reg_eps` option.
  public let regEps: Double

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    normEps = try o.double("norm_eps", range: 0...1e6)
    regEps = try o.double("reg_eps", range: 1e-12...1e6)
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: .parameters)
    let (alpha, residual) = UPGradSolver.solve(gramian: k, normEps: normEps, regEps: regEps)
    try step.applySharedGradient(g.combine(alpha), level: .parameters)
    var report = StepReport()
    // Lawson–Hanson is finite; the residual certifies the T projections (it flags a Cholesky
    // failure on a numerically singular free set, which stops the active set early).
    report.record(SolverStatus(solver: "upgrad dual-cone projections", converged: residual <= 1e-8, iterations: k.count, residual: residual))
    report.set("weight", alpha.map(Float.init), tasks: tasks)
    let trace = k.indices.reduce(0) { $0 + k[$1][$1] }
    if trace < normEps { report.notes.append("trace of the Gramian \(trace) is below norm_eps: the Gramian is treated as zero (mean gradient)") }
    return report
  }
}
