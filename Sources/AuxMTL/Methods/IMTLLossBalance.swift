import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// IMTL-L, the loss-balance half of IMTL: Liu, Li, Kuang, Xue, Chen, Yang, Liao, Zhang, "Towards
/// Impartial Multi-task Learning", ICLR 2021.
///
/// Each task has a learnable scale `s_t` (initial 0) and the network, together with `s`, is trained
/// on
///
///     L = Σ_t [ e^{s_t} L_t − s_t ]
///
/// whose stationary point in `s_t` is `e^{s_t} L_t = 1`: every scaled loss is driven to 1, so the
/// tasks' loss scales are balanced. Type (A): the weight `e^{s_t}` multiplies task t's loss for
/// shared and head parameters alike (as LibMTL's `IMTL` scales the losses before anything else);
/// `weight/<task>` reports it. `s` is a method parameter: add it to the optimiser.
///
/// IMTL-G and the IMTL hybrid (loss scaling combined with gradient balance) are separate methods.
public final class IMTLLossBalance: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "imtl-l", title: "IMTL-L (loss balance)",
    reference: "Liu et al. Towards Impartial Multi-task Learning. ICLR 2021. Convention: e^{s}L − s for all parameters, s init 0 (LibMTL IMTL's loss part).",
    summary: "Learns a log-scale per task so that every scaled loss e^{s}L is driven to 1.",
    kind: .lossWeighting, requirements: [.losses],
    options: [OptionSpec("init", default: "0", "initial log scale s of every task")],
    make: { ctx in try IMTLLossBalance(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The log scales `s_t` (learnable).
  public let logScale: Parameter

  public var parameters: [(name: String, parameter: Parameter)] { [("log_scale", logScale)] }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    let initial = try o.double("init", range: -30...30)
    logScale = Parameter(Tensor(shape: [ctx.tasks.count], repeating: Float(initial)))
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    var objective: Tensor? = nil
    for t in 0..<tasks.count {
      let s = logScale.value.gatherRows([t]).reshaped([])
      let term = s.exp() * step.scalarLoss(t) - s
      objective = objective.map { $0 + term } ?? term
    }
    try step.backwardLossObjective(objective!)
    var report = StepReport()
    let s = logScale.value.scalars
    report.set("weight", s.map { Float(exp(Double($0))) }, tasks: tasks)
    report.set("log_scale", s, tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] { ["log_scale": logScale.value.detached()] }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    logScale.assign(try state.required("log_scale", count: tasks.count).reshaped(logScale.shape))
  }
}
