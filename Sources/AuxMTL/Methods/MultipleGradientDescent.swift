import AuxEngine
import AuxNN

/// MGDA and MGDA-UB: Sener & Koltun, "Multi-Task Learning as Multi-Objective Optimization",
/// NeurIPS 2018.
///
/// Each step finds the minimum-norm point of the convex hull of the (normalised) task gradients,
/// `α* = argmin_{α ∈ Δ_T} ‖Σ_t α_t ĝ_t‖²` with `ĝ_t = g_t / n_t`, and trains on the weighted loss
/// `Σ_t α*_t L_t`: as in the original code (`isl-org/MultiObjectiveOptimization`,
/// `train_multi_task.py`), the weights multiply the *losses*, so they scale the task heads'
/// gradients too (type A). (LibMTL applies α to the normalised shared gradients only, and
/// nash-mtl multiplies α by T; neither is followed.) Implementation: one decoder pass of
/// `Σ_t L_t`, the per-task gradients, the solve, then each head's gradient is scaled by α_t
/// (``MTLStep/scaleTaskParameterGradients(_:by:)``) and the shared parameters receive
/// `Σ_t α_t g_t`.
///
/// - `mgda`: `g_t = ∇_φ L_t` over the shared parameters (T encoder passes).
/// - `mgda-ub`: the upper bound, `g_t = ∂L_t/∂z` at the shared representation, the whole batch
///   tensor flattened (one encoder pass).
///
/// Options: `normalization` — `none` (default, LibMTL; n_t = 1), `l2` (‖g_t‖), `loss` (L_t),
/// `loss+` (L_t ‖g_t‖, the original sample configuration); `solver` — `exact` (default,
/// ``MinNormSolver/exact(gramian:)``, the min-norm point to rounding, certified by its KKT
/// residual) or `frank-wolfe` (the reference code's procedure,
/// ``MinNormSolver/frankWolfe(gramian:maxIterations:tolerance:)``, kept to reproduce it: its
/// stopping rule `‖Δα‖₁ < 1e-5` is not an optimality test, and on rank-deficient, widely scaled
/// or strongly conflicting steps it stops up to 400× the min-norm point's length away from it,
/// issue 17).
///
/// Reported: `weight/<task>` = α_t (the loss weight, on heads and shared parameters alike),
/// `normalizer/<task>` = n_t, `min_norm` = `‖Σ α_t ĝ_t‖`.
///
/// Degenerate steps: a task whose normaliser is not a positive finite number (a zero gradient
/// under `l2`/`loss+`, a zero loss under `loss`/`loss+`) is left out (α_t = 0) with a note; when
/// every normalised gradient is zero, every α is optimal and the uniform α = 1/T (over the tasks
/// not left out) is used, with a note. A zero gradient otherwise makes the minimum norm zero, so
/// α puts its weight on that task and the shared parameters receive nothing (MGDA's
/// Pareto-stationarity); the note says so.
public final class MultipleGradientDescent: WeightingMethod {
  static let options: [OptionSpec] = [
    OptionSpec("normalization", default: "none", "gradient normaliser n_t: none (1), l2 (‖g_t‖), loss (L_t), loss+ (L_t‖g_t‖)", allowed: ["none", "l2", "loss", "loss+"]),
    OptionSpec("solver", default: "exact", "min-norm solver: exact (Wolfe's active set, certified by its KKT residual) or frank-wolfe (the reference code's procedure: ≤ 250 iterations, ‖Δα‖₁ < 1e-5; can be far from the min-norm point on badly conditioned steps)", allowed: ["exact", "frank-wolfe"]),
  ]

  /// The registry entry of `mgda` (parameter level).
  public static let descriptor = MethodDescriptor(
    name: "mgda", title: "MGDA",
    reference: "Sener, Koltun. Multi-Task Learning as Multi-Objective Optimization. NeurIPS 2018. Convention: weights on the losses as in isl-org/MultiObjectiveOptimization (type A, heads scaled too); parameter-level gradients.",
    summary: "Weights the losses by the minimum-norm point of the convex hull of the shared-parameter gradients.",
    kind: .lossWeighting, requirements: [.losses, .featureGradients, .parameterGradients, .taskParameters],
    options: options,
    dataParallel: true, make: { ctx in try MultipleGradientDescent(ctx, level: .parameters) })

  /// The registry entry of `mgda-ub` (representation level).
  public static let upperBoundDescriptor = MethodDescriptor(
    name: "mgda-ub", title: "MGDA-UB",
    reference: "Sener, Koltun. Multi-Task Learning as Multi-Objective Optimization. NeurIPS 2018 (the upper bound on the representation). Convention: weights on the losses as in isl-org/MultiObjectiveOptimization; gradients at the shared representation, whole batch tensor flattened.",
    summary: "Weights the losses by the minimum-norm point of the convex hull of the feature gradients ∂L_t/∂z.",
    kind: .lossWeighting, requirements: [.losses, .featureGradients, .taskParameters],
    options: options,
    dataParallel: true, make: { ctx in try MultipleGradientDescent(ctx, level: .representation) })

  public let descriptor: MethodDescriptor
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// Where gradients are taken (`.parameters` for `mgda`, `.representation` for `mgda-ub`).
  public let level: GradientLevel
  /// The `normalization` option: `none`, `l2`, `loss` or `loss+`.
  public let normalization: String
  /// Whether the `solver` option is `exact` (else the reference Frank–Wolfe).
  public let exactSolver: Bool

  init(_ ctx: MethodContext, level: GradientLevel) throws {
    var o = ctx.options
    descriptor = ctx.descriptor
    tasks = ctx.tasks
    self.level = level
    normalization = try o.string("normalization")
    exactSolver = try o.string("solver") == "exact"
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let name = descriptor.name
    _ = try step.requireTaskParameters(name)
    let lossValues = step.lossValues
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: name, level: level)
    var report = StepReport()
    let n = tasks.count

    // Normalisers n_t.
    let norms = (0..<n).map { max(k[$0][$0], 0).squareRoot() }
    let normalizers: [Double] = (0..<n).map { t in
      switch normalization {
      case "l2": return norms[t]
      case "loss": return Double(lossValues[t])
      case "loss+": return Double(lossValues[t]) * norms[t]
      default: return 1
      }
    }
    let active = (0..<n).filter { normalizers[$0] > 0 && normalizers[$0].isFinite }
    let excluded = (0..<n).filter { !active.contains($0) }
    if !excluded.isEmpty {
      report.notes.append("normaliser '\(normalization)' is zero or not finite for \(excluded.map { "'\(tasks[$0].name)'" }.joined(separator: ", ")); left out (weight 0)")
    }

    var alpha = [Double](repeating: 0, count: n)
    var minNorm = 0.0
    if !active.isEmpty {
      let kn = active.map { i in active.map { j in k[i][j] / (normalizers[i] * normalizers[j]) } }
      if kn.indices.allSatisfy({ !(kn[$0][$0] > 0) }) {
        for t in active { alpha[t] = 1 / Double(active.count) }
        report.notes.append("every normalised gradient is zero: any weights are optimal, using uniform weights")
      } else {
        let sol = exactSolver ? MinNormSolver.exact(gramian: kn) : MinNormSolver.frankWolfe(gramian: kn)
        for (a, t) in active.enumerated() { alpha[t] = sol.weights[a] }
        minNorm = max(sol.squaredNorm, 0).squareRoot()
        report.values["solver_iterations"] = Float(sol.iterations)
        report.record(sol.status(exactSolver ? "min-norm (Wolfe)" : "min-norm (Frank-Wolfe)"))
        let zero = kn.indices.filter { !(kn[$0][$0] > 0) }.map { tasks[active[$0]].name }
        if !zero.isEmpty {
          report.notes.append("zero gradient for \(zero.map { "'\($0)'" }.joined(separator: ", ")): the minimum norm is zero (Pareto-stationary); the shared parameters receive no gradient")
        }
      }
    } else {
      report.notes.append("no task has a usable normaliser; no gradient this step")
    }

    for t in 0..<n { try step.scaleTaskParameterGradients(t, by: Float(alpha[t])) }
    try step.applySharedGradient(g.combine(alpha), level: level)

    report.set("weight", alpha.map(Float.init), tasks: tasks)
    report.set("normalizer", normalizers.map(Float.init), tasks: tasks)
    report.values["min_norm"] = Float(minNorm)
    return report
  }
}
