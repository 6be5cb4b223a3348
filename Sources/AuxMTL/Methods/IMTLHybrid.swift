import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// IMTL, the hybrid of loss balance and gradient balance of Liu et al., "Towards Impartial
/// Multi-task Learning", ICLR 2021, as LibMTL's `IMTL`.
///
/// Every task has a learnable scale `s_t` (init 0, IMTL-L's parameter); each loss is replaced by
/// `e^{s_t} L_t − s_t` (stationary at `e^{s_t} L_t = 1`). IMTL-G is computed on the gradients of
/// the *scaled* losses, and the shared parameters receive `Σ_t α_t ∇(e^{s_t} L_t − s_t)`; the
/// task heads and `s` receive the un-α-weighted gradient of `Σ_t (e^{s_t} L_t − s_t)`. Add
/// ``parameters`` (`s`) to the optimiser.
///
/// Option `level`: `representation` (default, the paper) or `parameters` (LibMTL, nash-mtl).
///
/// Reported: `weight/<task>` = α_t e^{s_t} (the effective weight of ∇L_t on the shared
/// parameters), `alpha/<task>` = α_t, `scale/<task>` = e^{s_t}. Degenerate steps as IMTL-G.
public final class IMTLHybrid: WeightingMethod {
  /// The registry entry of `imtl`.
  public static let descriptor = MethodDescriptor(
    name: "imtl", title: "IMTL (IMTL-L + IMTL-G)",
    reference: "Liu et al. Towards Impartial Multi-task Learning. ICLR 2021 (hybrid). Convention: LibMTL IMTL (losses e^s L − s, IMTL-G on the scaled-loss gradients for the shared parameters only); representation level by default (paper).",
    summary: "Learns a scale per task that balances the losses, and aggregates the scaled-loss gradients by IMTL-G.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients],
    options: [GradientMethodSupport.levelOption(default: .representation)],
    make: { ctx in try IMTLHybrid(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// Where the task gradients are taken (`level` option).
  public let level: GradientLevel
  /// The descriptor's requirements, with parameter-level task gradients only at that level.
  public var requirements: MethodRequirements { GradientMethodSupport.requirements(descriptor.requirements, level: level) }
  /// The log-scales `s_t`, one per task (learnable, init 0).
  public let logScale: Parameter

  public var parameters: [(name: String, parameter: Parameter)] { [("log_scale", logScale)] }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    level = try GradientMethodSupport.level(&o)
    logScale = Parameter(Tensor.zeros([ctx.tasks.count]))
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    var objective: Tensor? = nil
    for t in 0..<tasks.count {
      let s = logScale.value.gatherRows([t]).reshaped([])
      let term = s.exp() * step.losses[t].reshaped([]) - s
      objective = objective.map { $0 + term } ?? term
    }
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: level, objective: objective!)
    var report = StepReport()
    let alpha = IMTLGradientBalance.weights(gramian: k, tasks: tasks, report: &report)
    try step.applySharedGradient(g.combine(alpha), level: level)
    let scales = logScale.value.scalars.map { exp(Double($0)) }
    report.set("weight", zip(alpha, scales).map { Float($0 * $1) }, tasks: tasks)
    report.set("alpha", alpha.map(Float.init), tasks: tasks)
    report.set("scale", scales.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] { ["log_scale": logScale.value.detached()] }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    guard let s = state["log_scale"], s.shape == logScale.shape else {
      throw MTLStepError("imtl state: expected 'log_scale' of shape \(logScale.shape), found \(state["log_scale"].map { "\($0.shape)" } ?? "nothing")")
    }
    logScale.assign(s)
  }
}
