import AuxEngine
import AuxNN

/// IMTL-G, the gradient balance of Liu, Li, Kuang, Xue, Chen, Yang, Liao, Zhang, "Towards
/// Impartial Multi-task Learning", ICLR 2021.
///
/// Weights `α` with `Σ α = 1` such that the aggregated gradient `Σ_t α_t g_t` has equal
/// projections on every task's unit gradient: closed form `α ∝ K⁺ d`, `d_t = ‖g_t‖`
/// (``IMTLGSolver``; the pseudo-inverse handles linearly dependent gradients as torchjd does).
/// The shared parameters receive `Σ_t α_t g_t`, the task heads the gradient of `Σ_t L_t`
/// (type B). α can be negative; no reference clips it.
///
/// Option `level`: `representation` (default: the paper computes IMTL-G on the shared
/// representation, the whole batch tensor flattened as in IAL's code — LibMTL's `rep_grad` sums
/// over the batch first, which we do not) or `parameters` (LibMTL, nash-mtl).
///
/// Reported: `weight/<task>` = α_t. Tasks with a zero gradient get α_t = 0; when every gradient
/// is zero the shared parameters receive nothing, with a note.
public final class IMTLGradientBalance: WeightingMethod {
  /// The registry entry of `imtl-g`.
  public static let descriptor = MethodDescriptor(
    name: "imtl-g", title: "IMTL-G",
    reference: "Liu et al. Towards Impartial Multi-task Learning. ICLR 2021 (gradient balance). Convention: closed form α ∝ K⁺‖g‖ with Σα = 1 (torchjd IMTLG); representation level by default (paper), whole batch tensor flattened.",
    summary: "Aggregates the task gradients so that the result has equal projections on every task's gradient direction.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients],
    options: [GradientMethodSupport.levelOption(default: .representation)],
    dataParallel: true, make: { ctx in try IMTLGradientBalance(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// Where the task gradients are taken (`level` option).
  public let level: GradientLevel
  /// The descriptor's requirements, with parameter-level task gradients only at that level.
  public var requirements: MethodRequirements { GradientMethodSupport.requirements(descriptor.requirements, level: level) }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    level = try GradientMethodSupport.level(&o)
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: level)
    var report = StepReport()
    let alpha = Self.weights(gramian: k, tasks: tasks, report: &report)
    try step.applySharedGradient(g.combine(alpha), level: level)
    report.set("weight", alpha.map(Float.init), tasks: tasks)
    return report
  }

  /// IMTL-G weights with the notes for degenerate steps (shared by IMTL).
  static func weights(gramian k: [[Double]], tasks: [TaskInfo], report: inout StepReport) -> [Double] {
    let solution = IMTLGSolver.weights(gramian: k)
    report.record(IMTLGSolver.status(gramian: k, weights: solution))
    guard let alpha = solution else {
      // The recorded fallback is the note.
      return [Double](repeating: 0, count: tasks.count)
    }
    if let note = GradientMethodSupport.zeroGradientNote(k, tasks: tasks, consequence: "weight 0") { report.notes.append(note) }
    return alpha
  }
}
