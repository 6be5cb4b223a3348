import AuxEngine
import AuxNN

/// GradVac: Wang, Tsvetkov, Firat, Cao, "Gradient Vaccine: Investigating and Improving Multi-task
/// Optimization in Massively Multilingual Models", ICLR 2021.
///
/// Like PCGrad, each task's shared-parameter gradient is adjusted against every other task in a
/// random order, but towards an adaptive target similarity `φ̂_ij` (an EMA of the observed
/// cosines, init 0) instead of orthogonality (``GradVacSolver``, exact from the Gramian). The
/// shared parameters receive `Σ_i g_i^pc`, the task heads the gradient of `Σ_t L_t` (type B).
/// Granularity: the whole model (one group; the per-layer and per-matrix variants are not
/// implemented). Parameter level.
///
/// Option `beta` (0.01, the paper; LibMTL's default is 0.5): the EMA rate of `φ̂`.
///
/// State: `φ̂` (T × T) and the generator of the orders, stored exactly. Like PCGrad, the method
/// does not claim auxiliary-order invariance (orders are drawn by task index).
///
/// Reported: `weight/<task>` = the coefficient of `g_t` in the shared gradient (LibMTL's
/// `batch_weight`). Pairs involving a zero gradient are skipped (no adjustment, no EMA step),
/// with a note.
public final class GradientVaccine: WeightingMethod {
  /// The registry entry of `gradvac`.
  public static let descriptor = MethodDescriptor(
    name: "gradvac", title: "GradVac (gradient vaccine)",
    reference: "Wang, Tsvetkov, Firat, Cao. Gradient Vaccine: Investigating and Improving Multi-task Optimization in Massively Multilingual Models. ICLR 2021. Convention: whole-model granularity, β = 0.01 (paper), EMA updated for every pair (paper Algorithm 1); exact from the Gramian; parameter level.",
    summary: "Adjusts each task's gradient towards an adaptive target cosine similarity with every other task, and sums the results.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [OptionSpec("beta", default: "0.01", "EMA rate β of the target similarities")],
    auxiliaryOrderInvariant: false,
    make: { ctx in try GradientVaccine(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The EMA rate β (`beta` option).
  public let beta: Double
  /// The target similarities `φ̂` (row i, column j).
  public private(set) var targets: [[Double]]
  /// The generator of the adjustment orders.
  public private(set) var generator: RandomGenerator

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    beta = try o.double("beta", range: 0...1)
    targets = [[Double]](repeating: [Double](repeating: 0, count: ctx.tasks.count), count: ctx.tasks.count)
    generator = RandomGenerator(seed: ctx.seed)
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: .parameters)
    let orders = PCGradSolver.randomOrders(taskCount: tasks.count, using: &generator)
    let (w, skipped) = GradVacSolver.weights(gramian: k, orders: orders, targets: &targets, beta: beta)
    try step.applySharedGradient(g.combine(w), level: .parameters)
    var report = StepReport()
    report.set("weight", w.map(Float.init), tasks: tasks)
    if skipped > 0 { report.notes.append("\(skipped) task pair(s) skipped (a zero gradient or a target similarity of ±1)") }
    return report
  }

  public func stateDict() -> [String: Tensor] {
    ["targets": ExactStateCoding.encode(doubles: targets.flatMap { $0 }), "rng": ExactStateCoding.encode(generator)]
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let n = tasks.count
    guard let tt = state["targets"], let gt = state["rng"] else {
      throw MTLStepError("gradvac state: expected 'targets' (\(n)×\(n) doubles) and 'rng' (five words) as exact encodings")
    }
    let t = try ExactStateCoding.decodeDoubles(tt, key: "targets", expectedCount: n * n)
    let g = try ExactStateCoding.decodeGenerator(gt, key: "rng")
    targets = (0..<n).map { Array(t[($0 * n)..<(($0 + 1) * n)]) }
    generator = g
  }
}
