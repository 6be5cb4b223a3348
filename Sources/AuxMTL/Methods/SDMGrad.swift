import AuxEngine
import AuxNN

/// SDMGrad, stochastic direction-oriented multi-objective gradient descent: Xiao, Ban, Ji,
/// "Direction-oriented Multi-objective Learning: Simple and Provable Stochastic Algorithms",
/// NeurIPS 2023; conventions of LibMTL's `SDMGrad` (from `OptMN-Lab/sdmgrad`) and torchjd's
/// `SDMGradWeighting`.
///
/// With per-task shared-parameter gradients of two independent batches `J₁`, `J₂` and of the
/// step's batch `J₃` (``IndependentBatchGradients``), `A = J₁ J₂ᵀ / (s² + 10⁻⁸)` where `s` is the
/// mean of `√max(A_tt, 0)`. The weights `w` (kept across steps, starting at `1/T`) take `niter`
/// steps of projected SGD with momentum (lr, momentum 0.5, the velocity restarted every step, as
/// `torch.optim.SGD` created per step in the reference) on the gradient `A (w + λ w̃)`, `w̃ = 1/T`,
/// each followed by the projection onto the simplex. The shared parameters receive
/// `J₃ᵀ (w + λ w̃) / (1 + λ)`; each head the mean of its loss's gradients over the three batches
/// (LibMTL's SDMGrad sums them — 3× — while its MoDo takes the mean; we take the mean for both).
///
/// Options (LibMTL's defaults): `lambda` 0.3, `niter` 20, `lr` 5 (torchjd's default is 10).
///
/// State: `w`, exactly. Reported: `weight/<task>` = `(w_t + λ/T)/(1 + λ)`.
public final class SDMGrad: WeightingMethod {
  /// The registry entry of `sdmgrad`.
  public static let descriptor = MethodDescriptor(
    name: "sdmgrad", title: "SDMGrad (direction-oriented stochastic MGDA)",
    reference: "Xiao, Ban, Ji. Direction-oriented Multi-objective Learning: Simple and Provable Stochastic Algorithms. NeurIPS 2023. Convention: LibMTL SDMGrad / torchjd SDMGradWeighting (three independent batches, λ = 0.3, 20 projected SGD steps with lr 5 and momentum 0.5 on the scale-normalised J₁J₂ᵀ, heads get the three batches' mean).",
    summary: "Finds simplex weights whose combined gradient stays close to the average gradient, from a two-batch estimate of the Gramian, and steps along a third batch.",
    kind: .gradientAggregation,
    requirements: [.losses, .featureGradients, .parameterGradients, .taskParameters, .lossEvaluator, .validationBatch],
    options: [
      OptionSpec("lambda", default: "0.3", "pull λ ≥ 0 towards the average gradient"),
      OptionSpec("niter", default: "20", "projected SGD iterations per step"),
      OptionSpec("lr", default: "5", "learning rate of the inner SGD (torchjd: 10)"),
    ],
    make: { ctx in try SDMGrad(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let lambdaCoefficient: Double
  public let iterations: Int
  public let learningRate: Double
  /// The simplex weights `w`.
  public private(set) var weights: [Double]

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    lambdaCoefficient = try o.double("lambda", range: 0...1e6)
    iterations = try o.int("niter", range: 1...100_000)
    learningRate = try o.double("lr", range: 0...1e6)
    resolvedOptions = o.resolved
    weights = [Double](repeating: 1 / Double(ctx.tasks.count), count: ctx.tasks.count)
  }

  /// The inner solve from `A = J₁ J₂ᵀ`: the new `w`.
  public static func solve(_ w0: [Double], cross a0: [[Double]], lambda: Double, iterations: Int, lr: Double, momentum: Double = 0.5) -> [Double] {
    let n = w0.count
    let scale = (0..<n).reduce(0.0) { $0 + Swift.max(a0[$1][$1], 0).squareRoot() } / Double(n)
    let c = 1 / (scale * scale + 1e-8)
    let a = a0.map { $0.map { $0 * c } }
    var w = w0
    var velocity: [Double]? = nil
    for _ in 0..<iterations {
      let target = w.map { $0 + lambda / Double(n) }
      let grad = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i][$1] * target[$1] } }
      let v = velocity.map { old in (0..<n).map { momentum * old[$0] + grad[$0] } } ?? grad
      velocity = v
      w = SimplexProjection.project((0..<n).map { w[$0] - lr * v[$0] })
    }
    return w
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let j = try IndependentBatchGradients.collect(step, method: descriptor.name)
    weights = Self.solve(weights, cross: j.first.crossGramian(j.second), lambda: lambdaCoefficient, iterations: iterations, lr: learningRate)
    let n = Double(tasks.count)
    let combined = weights.map { ($0 + lambdaCoefficient / n) / (1 + lambdaCoefficient) }
    try step.applySharedGradient(j.update.combine(combined), level: .parameters)
    var report = StepReport()
    report.set("weight", combined.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] { ["weights": ExactStateCoding.encode(doubles: weights)] }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    guard let t = state["weights"] else {
      throw MTLStepError("sdmgrad state: expected 'weights' (\(tasks.count) doubles) as an exact encoding")
    }
    weights = try ExactStateCoding.decodeDoubles(t, key: "weights", expectedCount: tasks.count)
  }
}
