import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// DB-MTL, dual-balancing multi-task learning: Lin, Ye, Zhang et al., "Dual-Balancing for Multi-Task
/// Learning", arXiv 2308.12029, 2023.
///
/// Two balances, following LibMTL's `DB_MTL`:
///
/// - **Loss scale**: every task's loss is replaced by `log(L_t + ε)`, ε = 10⁻⁸. The task heads
///   receive the gradient of `Σ_t log(L_t + ε)`.
/// - **Gradient magnitude** (shared parameters): with `g_t = ∇_φ log(L_t + ε)` (one encoder
///   backward pass per task) an exponential moving average
///
///       ĝ_t ← β_k ĝ_t + (1 − β_k) g_t,   β_k = β / k^σ   (k = 1, 2, … the step; ĝ starts at 0)
///
///   is kept for every task, and the shared parameters get `Σ_t α_t ĝ_t` with
///   `α_t = max_j ‖ĝ_j‖ / (‖ĝ_t‖ + 10⁻⁸)`: every task's averaged gradient is scaled to the largest
///   norm.
///
/// Parameter level only (LibMTL refuses representation gradients), type (B); the state `ĝ` is a
/// `T × D` matrix over all shared parameters (`D` of them) and is saved with the method.
/// `weight/<task>` reports the factor on this step's raw gradient `∇_φ L_t` inside the shared
/// update, `α_t (1 − β_k) / (L_t + ε)` (the rest of the update is history); `alpha/<task>` reports
/// `α_t`. Negative losses are refused; zero gradients give `α = 0` and no update.
public final class DualBalancing: WeightingMethod {
  static let epsilon = 1e-8

  public static let descriptor = MethodDescriptor(
    name: "db-mtl", title: "DB-MTL (dual balancing)",
    reference: "Lin, Ye, Zhang et al. Dual-Balancing for Multi-Task Learning. arXiv 2308.12029, 2023. Convention: LibMTL DB_MTL (log(L + 1e-8), EMA of shared-parameter gradients with β_k = β/k^σ, α = max norm / norm).",
    summary: "Takes log-losses, keeps a moving average of each task's shared-parameter gradient and scales every average to the largest norm.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [
      OptionSpec("beta", default: "0.9", "EMA factor β of the gradients"),
      OptionSpec("beta_sigma", default: "0", "decay exponent σ of the EMA factor β_k = β / k^σ"),
    ],
    make: { ctx in try DualBalancing(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let beta: Double
  public let betaSigma: Double
  /// The averaged gradients `ĝ`, `[T, D]` (nil before the first step).
  public private(set) var averagedGradients: Tensor?
  /// Steps taken (`k` of the last step).
  public private(set) var steps = 0

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    beta = try o.double("beta", range: 0...1)
    betaSigma = try o.double("beta_sigma", range: 0...100)
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    _ = try step.requireShared("db-mtl")
    let losses = step.lossValues
    for (t, l) in losses.enumerated() where !(Double(l) + Self.epsilon > 0) {
      throw MTLStepError("db-mtl: the loss of task '\(tasks[t].name)' is \(l); DB-MTL takes log(L + 1e-8) and needs non-negative losses")
    }
    var objective: Tensor? = nil
    for t in 0..<tasks.count {
      let term = (step.scalarLoss(t) + Float(Self.epsilon)).log()
      objective = objective.map { $0 + term } ?? term
    }
    let h = step.backwardDecoders(objective!)
    let g = try step.taskGradients(level: .parameters, featureGradients: h)
    if let a = averagedGradients, a.shape != g.matrix.shape {
      throw MTLStepError("db-mtl: the averaged gradients have shape \(a.shape) but this step's are \(g.matrix.shape); the shared parameters changed")
    }
    let k = steps + 1
    let betaK = beta / pow(Double(k), betaSigma)
    var avg = averagedGradients ?? Tensor.zeros(g.matrix.shape)
    let b = Float(betaK)
    g.matrix.withUnsafeBufferPointer { gp in
      avg.withUnsafeMutableBufferPointer { ap in
        for i in 0..<ap.count { ap[i] = gp[i] + b * (ap[i] - gp[i]) }
      }
    }
    let averaged = TaskGradients(level: .parameters, matrix: avg)
    let norms = averaged.norms()
    let top = norms.max() ?? 0
    let alpha = norms.map { top / ($0 + 1e-8) }
    try step.applySharedGradient(averaged.combine(alpha), level: .parameters)
    averagedGradients = avg
    steps = k

    var report = StepReport()
    report.set("weight", (0..<tasks.count).map { Float(alpha[$0] * (1 - betaK) / (Double(losses[$0]) + Self.epsilon)) }, tasks: tasks)
    report.set("alpha", alpha.map(Float.init), tasks: tasks)
    report.set("average_norm", norms.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out = ["steps": ExactStateCoding.encode(count: steps)]
    if let a = averagedGradients { out["averaged_gradients"] = a }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let s = try ExactStateCoding.decodeCount(try state.required("steps"), key: "steps")
    var a: Tensor? = nil
    if let t = state["averaged_gradients"] {
      guard t.rank == 2, t.shape[0] == tasks.count else {
        throw MTLStepError("db-mtl state: 'averaged_gradients' has shape \(t.shape), expected [\(tasks.count), D]")
      }
      a = t
    }
    steps = s
    averagedGradients = a
  }
}
