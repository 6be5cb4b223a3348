import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Uncertainty weighting (UW): Kendall, Gal, Cipolla, "Multi-Task Learning Using Uncertainty to
/// Weigh Losses for Scene Geometry and Semantics", CVPR 2018.
///
/// Each task has a learnable log-variance `ℓ_t = log σ_t²` and the network, together with `ℓ`, is
/// trained on
///
///     L = Σ_t [ ½ e^{−ℓ_t} L_t + ½ ℓ_t ]
///
/// one form for every task (the common practice of LibMTL `UW`, Auto-Lambda and nash-mtl; the paper
/// writes `1/σ²` for classification). `ℓ` starts at −0.5 (LibMTL's initial value) and settles where
/// `e^{ℓ_t} = L_t`. Type (A): the weight `½ e^{−ℓ_t}` multiplies task t's loss for shared and head
/// parameters alike; `weight/<task>` reports it.
///
/// This is the `log σ²` parameterisation. IAL's decoder stage uses `log σ` (weight `½ e^{−2s}`,
/// regulariser `s`), which has the same stationary point but a different learning dynamic; the two
/// are deliberately separate classes.
///
/// `ℓ` is a method parameter (``parameters``): add it to the optimiser (LibMTL trains it with the
/// network's optimiser and learning rate). Zero losses are fine (`ℓ` then decreases steadily).
public final class UncertaintyWeighting: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "uw", title: "Uncertainty weighting (UW)",
    reference: "Kendall, Gal, Cipolla. Multi-Task Learning Using Uncertainty to Weigh Losses for Scene Geometry and Semantics. CVPR 2018. Convention: ℓ = log σ², L = Σ ½e^{−ℓ}L + ½ℓ for every task, init −0.5 (LibMTL UW).",
    summary: "Learns a log-variance per task; weights each loss by ½e^{−ℓ} and adds ½ℓ.",
    kind: .lossWeighting, requirements: [.losses],
    options: [OptionSpec("init", default: "-0.5", "initial log variance ℓ of every task (LibMTL −0.5; Auto-Lambda/MTAN −0.7; nash-mtl 0)")],
    dataParallel: true, make: { ctx in try UncertaintyWeighting(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The log variances `ℓ_t = log σ_t²` (learnable).
  public let logVariance: Parameter

  public var parameters: [(name: String, parameter: Parameter)] { [("log_variance", logVariance)] }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    let initial = try o.double("init", range: -30...30)
    logVariance = Parameter(Tensor(shape: [ctx.tasks.count], repeating: Float(initial)))
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let objective = UncertaintyWeighting.objective(losses: (0..<tasks.count).map(step.scalarLoss), logVariance: logVariance.value, indices: Array(0..<tasks.count))
    try step.backwardLossObjective(objective)
    var report = StepReport()
    let l = logVariance.value.scalars
    report.set("weight", l.map { Float(0.5 * exp(-Double($0))) }, tasks: tasks)
    report.set("log_variance", l, tasks: tasks)
    return report
  }

  /// `Σ_k ½ e^{−ℓ[indices[k]]} losses[k] + ½ ℓ[indices[k]]` (shared with `uw-per-objective`).
  static func objective(losses: [Tensor], logVariance: Tensor, indices: [Int]) -> Tensor {
    var total: Tensor? = nil
    for (k, loss) in losses.enumerated() {
      let l = logVariance.gatherRows([indices[k]]).reshaped([])
      let term = (-l).exp() * 0.5 * loss + l * 0.5
      total = total.map { $0 + term } ?? term
    }
    return total!
  }

  public func stateDict() -> [String: Tensor] { ["log_variance": logVariance.value.detached()] }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    logVariance.assign(try state.required("log_variance", count: tasks.count).reshaped(logVariance.shape))
  }
}
