import AuxEngine
import AuxNN

/// Aligned-MTL and Aligned-MTL-UB: Senushkin, Patakin, Kuznetsov, Konushin, "Independent
/// Component Alignment for Multi-Task Learning", CVPR 2023.
///
/// The task gradients are replaced by the closest matrix with orthogonal components of equal
/// norm (the balance transformation of the Gramian's eigendecomposition, ``AlignedMTLSolver``),
/// and the shared parameters receive their sum `Σ_t α_t g_t`, `α = B 1` (the authors' code and
/// LibMTL; torchjd's `AlignedMTL` returns `α / T`). The task heads receive the gradient of
/// `Σ_t L_t` (type B).
///
/// - `aligned-mtl`: shared-parameter gradients (T encoder passes).
/// - `aligned-mtl-ub`: the upper bound on the representation, `∂L_t/∂z` (one encoder pass).
///
/// Option `scale`: `min` (default: the smallest kept eigenvalue), `median`, `rmse`.
///
/// Reported: `weight/<task>` = α_t, `rank` (eigenvalues kept). When every gradient is zero the
/// shared gradient is zero, with a note.
public final class AlignedMTL: WeightingMethod {
  static let options: [OptionSpec] = [
    OptionSpec("scale", default: "min", "common norm of the aligned components: min, median or rmse of the kept eigenvalues", allowed: AlignedMTLSolver.Scale.allCases.map(\.rawValue))
  ]

  /// The registry entry of `aligned-mtl` (parameter level).
  public static let descriptor = MethodDescriptor(
    name: "aligned-mtl", title: "Aligned-MTL",
    reference: "Senushkin, Patakin, Kuznetsov, Konushin. Independent Component Alignment for Multi-Task Learning. CVPR 2023. Convention: SamsungLabs/MTL and LibMTL (α = B·1, scale min, rank threshold λmax·T·ε_float32); parameter level.",
    summary: "Aligns the task gradients into orthogonal components of equal norm (eigendecomposition of the Gramian) and sums them.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: options,
    make: { ctx in try AlignedMTL(ctx, level: .parameters) })

  /// The registry entry of `aligned-mtl-ub` (representation level).
  public static let upperBoundDescriptor = MethodDescriptor(
    name: "aligned-mtl-ub", title: "Aligned-MTL-UB",
    reference: "Senushkin, Patakin, Kuznetsov, Konushin. Independent Component Alignment for Multi-Task Learning. CVPR 2023 (upper bound on the representation). Convention: as aligned-mtl, on ∂L_t/∂z (whole batch tensor).",
    summary: "Aligned-MTL on the gradients with respect to the shared representation.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients],
    options: options,
    make: { ctx in try AlignedMTL(ctx, level: .representation) })

  public let descriptor: MethodDescriptor
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// Where the task gradients are taken (fixed by the registry name).
  public let level: GradientLevel
  /// The `scale` option.
  public let scale: AlignedMTLSolver.Scale

  init(_ ctx: MethodContext, level: GradientLevel) throws {
    var o = ctx.options
    descriptor = ctx.descriptor
    tasks = ctx.tasks
    self.level = level
    scale = AlignedMTLSolver.Scale(rawValue: try o.string("scale"))!
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: level)
    let (alpha, rank) = AlignedMTLSolver.weights(gramian: k, scale: scale)
    try step.applySharedGradient(g.combine(alpha), level: level)
    var report = StepReport()
    report.set("weight", alpha.map(Float.init), tasks: tasks)
    report.values["rank"] = Float(rank)
    if rank == 0 { report.notes.append("every task gradient is zero; the shared parameters receive no gradient this step") }
    return report
  }
}
