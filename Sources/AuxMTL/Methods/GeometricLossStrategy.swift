import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// GLS, the geometric loss strategy: Chennupati, Sistu, Yogamani, Rawashdeh, "MultiNet++:
/// Multi-Stream Feature Aggregation and Geometric Loss Strategy for Multi-Task Learning", CVPR
/// 2019 Workshops; convention of LibMTL's `GLS`.
///
/// The network minimises the geometric mean of the task losses, `G = (Π_t L_t)^{1/T}`. By the chain
/// rule its gradient is `Σ_t (∂G/∂L_t) ∇L_t` with `∂G/∂L_t = G / (T L_t)`, so the method computes
/// these coefficients from the loss values (in Double, through `exp(mean log L_t)`, which does not
/// underflow for many small losses as the plain product does) and back-propagates
/// `Σ_t (G / (T L_t)) L_t` once: the same gradient as differentiating `G` itself (type A).
///
/// Reported: `weight/<task>` = `G / (T L_t)` (the true derivative; LibMTL returns `L_t / (T Π L)`,
/// a different quantity, as its log weights), `geometric_mean` = `G`.
///
/// The losses must be positive: `G` has no derivative at a zero loss (its weight would be
/// infinite), so a zero or negative loss stops the step with an error naming the task.
public final class GeometricLossStrategy: WeightingMethod {
  /// The registry entry of `gls`.
  public static let descriptor = MethodDescriptor(
    name: "gls", title: "GLS (geometric loss strategy)",
    reference: "Chennupati, Sistu, Yogamani, Rawashdeh. MultiNet++: Multi-Stream Feature Aggregation and Geometric Loss Strategy for Multi-Task Learning. CVPR Workshops 2019. Convention: LibMTL GLS (minimise (Π_t L_t)^(1/T)).",
    summary: "Minimises the geometric mean of the task losses, so each task's weight is inversely proportional to its loss.",
    kind: .lossWeighting, requirements: [.losses],
    make: { ctx in GeometricLossStrategy(tasks: ctx.tasks) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public var resolvedOptions: [String: String] { [:] }

  /// GLS for `tasks`.
  public init(tasks: [TaskInfo]) { self.tasks = tasks }

  /// `(G, ∂G/∂L_t)` for positive losses.
  static func coefficients(_ losses: [Double]) -> (mean: Double, weights: [Double]) {
    let t = Double(losses.count)
    let g = exp(losses.reduce(0) { $0 + log($1) } / t)
    return (g, losses.map { g / (t * $0) })
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let values = step.lossValues.map(Double.init)
    for (t, l) in values.enumerated() where !(l > 0 && l.isFinite) {
      throw MTLStepError("gls: the loss of task '\(tasks[t].name)' is \(l); the geometric mean needs positive finite losses")
    }
    let (g, w) = Self.coefficients(values)
    try step.backwardLossObjective(step.weightedLossSum(w))
    var report = StepReport()
    report.set("weight", w.map(Float.init), tasks: tasks)
    report.values["geometric_mean"] = Float(g)
    return report
  }
}
