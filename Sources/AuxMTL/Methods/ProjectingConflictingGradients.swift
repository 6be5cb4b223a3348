import AuxEngine
import AuxNN

/// PCGrad: Yu, Kumar, Gupta, Levine, Hausman, Finn, "Gradient Surgery for Multi-Task Learning",
/// NeurIPS 2020.
///
/// Each task's shared-parameter gradient is projected, against every other task in a random
/// order drawn afresh each step, onto the normal plane of any gradient it conflicts with; the
/// shared parameters receive `Σ_i g_i^pc` (type B, the sum as in LibMTL and the original code —
/// the vectorised Auto-Lambda/CAGrad version takes the mean and multiplies by T, the same thing);
/// the task heads receive the gradient of `Σ_t L_t`. Computed exactly from the Gramian
/// (``PCGradSolver``), at the parameter level only (as LibMTL).
///
/// Randomness: one generator seeded with the method's seed draws, each step, one permutation of
/// the other tasks per task; its state is part of ``stateDict()``, so a restored run draws the
/// same permutations. Because permutations are drawn by task index, reordering the auxiliary
/// tasks changes the draws: the method does not claim auxiliary-order invariance.
///
/// Reported: `weight/<task>` = the coefficient of `g_t` in the shared gradient (1 when nothing
/// conflicts). A task with a zero gradient is never projected against (no NaN).
public final class ProjectingConflictingGradients: WeightingMethod {
  /// The registry entry of `pcgrad`.
  public static let descriptor = MethodDescriptor(
    name: "pcgrad", title: "PCGrad (gradient surgery)",
    reference: "Yu, Kumar, Gupta, Levine, Hausman, Finn. Gradient Surgery for Multi-Task Learning. NeurIPS 2020. Convention: sum of projected gradients (LibMTL), j ≠ i (spec, torchjd), parameter level; exact from the Gramian.",
    summary: "Projects each task's gradient off the gradients it conflicts with, in a random order, and sums the results.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    auxiliaryOrderInvariant: false,
    dataParallel: true, make: { ctx in ProjectingConflictingGradients(tasks: ctx.tasks, seed: ctx.seed) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public var resolvedOptions: [String: String] { [:] }
  /// The generator of the projection orders.
  public private(set) var generator: RandomGenerator

  /// PCGrad for `tasks`, drawing its projection orders from a generator seeded with `seed`.
  public init(tasks: [TaskInfo], seed: UInt64) {
    self.tasks = tasks
    generator = RandomGenerator(seed: seed)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: .parameters)
    let orders = PCGradSolver.randomOrders(taskCount: tasks.count, using: &generator)
    let w = PCGradSolver.weights(gramian: k, orders: orders)
    try step.applySharedGradient(g.combine(w), level: .parameters)
    var report = StepReport()
    report.set("weight", w.map(Float.init), tasks: tasks)
    if let note = GradientMethodSupport.zeroGradientNote(k, tasks: tasks, consequence: "never projected against") {
      report.notes.append(note)
    }
    return report
  }

  public func stateDict() -> [String: Tensor] { ["rng": ExactStateCoding.encode(generator)] }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    guard let t = state["rng"] else {
      throw MTLStepError("pcgrad state: expected 'rng' (the generator's five words as 20 chunks), found \(state["rng"].map { "shape \($0.shape)" } ?? "nothing")")
    }
    generator = try ExactStateCoding.decodeGenerator(t, key: "rng")
  }
}
