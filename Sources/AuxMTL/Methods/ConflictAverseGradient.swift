import AuxEngine
import AuxNN

/// CAGrad: Liu, Liu, Jin, Stone, Liu, "Conflict-Averse Gradient Descent for Multi-task
/// Learning", NeurIPS 2021.
///
/// With `g₀` the average gradient, find `w* = argmin_{w∈Δ} g_wᵀg₀ + c‖g₀‖‖g_w‖` (solved exactly
/// by ``CAGradSolver``; the reference uses SLSQP), then `d = g₀ + (c‖g₀‖/‖g_w*‖) g_w*`, rescaled
/// by `1/(1 + c²)` (`rescale` 1, default), `1/(1 + c)` (2) or not at all (0), and **multiplied by
/// T** "to match the sum loss", as in the CAGrad and Auto-Lambda code (`overwrite_grad`) and
/// nash-mtl; LibMTL omits the ×T (a T-fold learning-rate difference under SGD). The shared
/// parameters receive `T · d`, the task heads the gradient of `Σ_t L_t` (type B). Parameter
/// level.
///
/// Options: `c` (0.4, the CAGrad NYUv2/Cityscapes scripts and Auto-Lambda; LibMTL uses 0.5),
/// `rescale` (1), `norm_eps` (1e-4: when `‖g_w*‖ ≤ norm_eps · Σ_t w*_t ‖g_t‖`, i.e. the optimal
/// combination cancels, the point is approximately Pareto-stationary and, as in torchjd, the
/// shared gradient is zero, with a note and a recorded fallback; torchjd's threshold
/// `norm_eps · √trace K` is not followed, because it zeroes every step whose gradient norms
/// spread over more than 1e4, see docs/methods.md).
///
/// Reported: `weight/<task>` = the coefficient of `g_t` in `T · d`; `lambda` = `c‖g₀‖/‖g_w*‖`.
public final class ConflictAverseGradient: WeightingMethod {
  /// The registry entry of `cagrad`.
  public static let descriptor = MethodDescriptor(
    name: "cagrad", title: "CAGrad",
    reference: "Liu, Liu, Jin, Stone, Liu. Conflict-Averse Gradient Descent for Multi-task Learning. NeurIPS 2021. Convention: CAGrad/Auto-Lambda code (c = 0.4, rescale 1, shared gradient × T); inner problem solved exactly; parameter level.",
    summary: "Moves from the average gradient, within a ball around it, towards the direction that most improves the worst task.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [
      OptionSpec("c", default: "0.4", "radius factor c of the ball around the average gradient"),
      OptionSpec("rescale", default: "1", "0: none; 1: divide by 1 + c²; 2: divide by 1 + c", allowed: ["0", "1", "2"]),
      OptionSpec("norm_eps", default: "1e-4", "the step is treated as Pareto-stationary (zero shared gradient) when ‖g_w*‖ ≤ norm_eps · Σ w*_t ‖g_t‖"),
    ],
    make: { ctx in try ConflictAverseGradient(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The radius factor c (`c` option).
  public let c: Double
  /// The `rescale` option: 0, 1 or 2.
  public let rescale: Int
  /// The `norm_eps` option.
  public let normEps: Double

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    c = try o.double("c", range: 0...1_000)
    rescale = try o.int("rescale", range: 0...2)
    normEps = try o.double("norm_eps", range: 0...1)
    resolvedOptions = o.resolved
  }

  /// The weights of the shared gradient for a Gramian: `T · (1/T + λ w*) / rescale`.
  public func weights(gramian k: [[Double]]) -> (weights: [Double], solution: CAGradSolver.Result) {
    let sol = CAGradSolver.solve(gramian: k, c: c, normEps: normEps)
    let divisor = rescale == 1 ? 1 + c * c : rescale == 2 ? 1 + c : 1
    let t = Double(k.count)
    return (sol.directionWeights.map { t * $0 / divisor }, sol)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: .parameters)
    let (w, sol) = weights(gramian: k)
    try step.applySharedGradient(g.combine(w), level: .parameters)
    var report = StepReport()
    report.set("weight", w.map(Float.init), tasks: tasks)
    report.values["lambda"] = Float(sol.lambda)
    // A zero direction is a recorded fallback, which is also the step's note.
    report.record(sol.status())
    return report
  }
}
