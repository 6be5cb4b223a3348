import AuxEngine
import AuxNN

/// MoDo, multi-objective gradient with double sampling: Chen, Fernando, Ying, Chen, "Three-Way
/// Trade-Off in Multi-Objective Learning: Optimization, Generalization and Conflict-Avoidance",
/// NeurIPS 2023 / JMLR 2024; conventions of LibMTL's `MoDo` and torchjd's `MoDoWeighting`
/// (three independent batches per step, the official code's `three_grads`).
///
/// With per-task shared-parameter gradients of two independent batches `J₁`, `J₂` and of the
/// step's batch `J₃` (``IndependentBatchGradients``):
///
///     λ ← Π_Δ(λ − γ (J₁ J₂ᵀ λ + ρ λ))        (projected onto the simplex Δ; λ starts at 1/T)
///
/// and the shared parameters receive `J₃ᵀ λ`; each head receives the mean of its loss's gradients
/// over the three batches (type B).
///
/// Options (LibMTL's defaults): `gamma` 0.001, `rho` 0.1. Needs the evaluator's second stream:
/// two extra forward passes and `2T` extra backward passes per step.
///
/// State: λ, exactly. Reported: `weight/<task>` = λ_t.
public final class MoDo: WeightingMethod {
  /// The registry entry of `modo`.
  public static let descriptor = MethodDescriptor(
    name: "modo", title: "MoDo (double-sampling MGDA)",
    reference: "Chen, Fernando, Ying, Chen. Three-Way Trade-Off in Multi-Objective Learning: Optimization, Generalization and Conflict-Avoidance. NeurIPS 2023 (JMLR 2024). Convention: LibMTL MoDo / torchjd MoDoWeighting (three independent batches, γ = 0.001, ρ = 0.1, simplex projection, heads get the three batches' mean).",
    summary: "Moves simplex task weights along an unbiased two-batch estimate of the Gramian and steps along the weighted gradient of a third batch.",
    kind: .gradientAggregation,
    requirements: [.losses, .featureGradients, .parameterGradients, .taskParameters, .lossEvaluator, .validationBatch],
    options: [
      OptionSpec("gamma", default: "0.001", "step size γ of the weights"),
      OptionSpec("rho", default: "0.1", "ℓ2 regularisation ρ of the weights' update"),
    ],
    make: { ctx in try MoDo(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let gamma: Double
  public let rho: Double
  /// The weights λ (on the simplex).
  public private(set) var lambda: [Double]

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    gamma = try o.double("gamma", range: 0...1e6)
    rho = try o.double("rho", range: 0...1e6)
    resolvedOptions = o.resolved
    lambda = [Double](repeating: 1 / Double(ctx.tasks.count), count: ctx.tasks.count)
  }

  /// One update of λ from `A = J₁ J₂ᵀ`.
  public static func update(_ lambda: [Double], cross a: [[Double]], gamma: Double, rho: Double) -> [Double] {
    let n = lambda.count
    let al = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i][$1] * lambda[$1] } }
    return SimplexProjection.project((0..<n).map { lambda[$0] - gamma * (al[$0] + rho * lambda[$0]) })
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let j = try IndependentBatchGradients.collect(step, method: descriptor.name)
    lambda = Self.update(lambda, cross: j.first.crossGramian(j.second), gamma: gamma, rho: rho)
    try step.applySharedGradient(j.update.combine(lambda), level: .parameters)
    var report = StepReport()
    report.set("weight", lambda.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] { ["lambda": ExactStateCoding.encode(doubles: lambda)] }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    guard let t = state["lambda"] else {
      throw MTLStepError("modo state: expected 'lambda' (\(tasks.count) doubles) as an exact encoding")
    }
    lambda = try ExactStateCoding.decodeDoubles(t, key: "lambda", expectedCount: tasks.count)
  }
}
