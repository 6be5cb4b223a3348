import AuxEngine
import AuxNN

/// Primary-aware gradient surgery: PCGrad and GradVac applied asymmetrically, adjusting each
/// auxiliary task's gradient against the primary gradient only and never touching the primary
/// gradient (``PrimaryProjectionSolver``, exact from the Gramian). Two registry entries:
///
/// - `pri-pcgrad`: an auxiliary gradient that conflicts with the primary gradient
///   (`⟨g_a, g_P⟩ < 0`) loses its component along `g_P` (projection onto the normal plane of
///   `g_P`, as PCGrad does pairwise); others are kept.
/// - `pri-gradvac`: an auxiliary gradient whose cosine with `g_P` is below its target `φ̂_a` (an
///   EMA of the observed cosines, init 0, rate `beta`) is moved to reach it, GradVac's update.
///
/// `g_P` is the sum of the primary tasks' gradients. The shared parameters receive
/// `g_P + Σ_a g_a′`; the heads the gradient of `Σ_t L_t` (type B). Unlike PCGrad and GradVac there
/// is no random order (every auxiliary is adjusted against the same `g_P`), so the result does not
/// depend on the seed or on the order of the auxiliary tasks.
///
/// This is our reconstruction of the primary-aware projection baselines of the auxiliary-learning
/// literature (the asymmetric "project the auxiliary gradient against the main task" variants of
/// PCGrad/GradVac compared with in auxiliary-learning papers), with no single reference
/// implementation: the definition above is what is implemented and tested (against a numpy replica).
///
/// Options: `level` (parameters, as PCGrad/GradVac; representation: `∂L_t/∂z`); `pri-gradvac`
/// also `beta` (0.01, GradVac's paper). State (`pri-gradvac`): the targets, exactly.
/// Reported: `weight/<task>` = the coefficient of `g_t` in the shared gradient; `projected/<task>`
/// (1 when adjusted this step) for auxiliaries.
public final class PrimaryAwareProjection: WeightingMethod {
  /// Which projection.
  public enum Variant: String, Sendable {
    case pcgrad, gradvac
  }

  /// The registry entry of `pri-pcgrad`.
  public static let pcgradDescriptor = MethodDescriptor(
    name: "pri-pcgrad", title: "PriPCGrad (primary-aware PCGrad)",
    reference: "Reconstruction of the primary-aware PCGrad baseline (Yu et al., Gradient Surgery for Multi-Task Learning, NeurIPS 2020, applied asymmetrically): auxiliary gradients conflicting with the summed primary gradient are projected onto its normal plane; primary gradients are never changed. Exact from the Gramian.",
    summary: "Removes from each auxiliary gradient its component against the primary gradient when they conflict; the primary gradient is kept as is.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [GradientMethodSupport.levelOption(default: .parameters)],
    auxiliaryOnly: true, primaryAware: true, isApproximation: true,
    make: { ctx in try PrimaryAwareProjection(ctx, variant: .pcgrad) })

  /// The registry entry of `pri-gradvac`.
  public static let gradvacDescriptor = MethodDescriptor(
    name: "pri-gradvac", title: "PriGradVac (primary-aware GradVac)",
    reference: "Reconstruction of the primary-aware GradVac baseline (Wang et al., Gradient Vaccine, ICLR 2021, applied asymmetrically): each auxiliary gradient is moved towards an EMA target cosine (init 0, β = 0.01) with the summed primary gradient; primary gradients are never changed. Exact from the Gramian.",
    summary: "Moves each auxiliary gradient towards an adaptive target cosine similarity with the primary gradient; the primary gradient is kept as is.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [GradientMethodSupport.levelOption(default: .parameters), OptionSpec("beta", default: "0.01", "EMA rate β of the target similarities")],
    auxiliaryOnly: true, primaryAware: true, isApproximation: true,
    make: { ctx in try PrimaryAwareProjection(ctx, variant: .gradvac) })

  public let descriptor: MethodDescriptor
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let variant: Variant
  public let level: GradientLevel
  /// GradVac's EMA rate (unused by PCGrad).
  public let beta: Double
  /// GradVac's target similarities, one per auxiliary task in order.
  public private(set) var targets: [Double]

  init(_ ctx: MethodContext, variant: Variant) throws {
    var o = ctx.options
    descriptor = ctx.descriptor
    tasks = ctx.tasks
    self.variant = variant
    level = try GradientMethodSupport.level(&o)
    beta = variant == .gradvac ? try o.double("beta", range: 0...1) : 0
    resolvedOptions = o.resolved
    targets = [Double](repeating: 0, count: ctx.tasks.auxiliaryIndices.count)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: level)
    let primaries = tasks.primaryIndices
    var report = StepReport()
    let w: [Double]
    let adjusted: [Int]
    switch variant {
    case .pcgrad:
      (w, adjusted) = PrimaryProjectionSolver.pcgradWeights(gramian: k, primaries: primaries)
    case .gradvac:
      let r = PrimaryProjectionSolver.gradvacWeights(gramian: k, primaries: primaries, targets: &targets, beta: beta)
      (w, adjusted) = (r.weights, r.adjusted)
      if r.skipped > 0 { report.notes.append("\(r.skipped) auxiliary task(s) skipped (a zero gradient, a zero primary gradient or a target similarity of ±1)") }
    }
    try step.applySharedGradient(g.combine(w), level: level)
    report.set("weight", w.map(Float.init), tasks: tasks)
    for a in tasks.auxiliaryIndices { report.values["projected/\(tasks[a].name)"] = adjusted.contains(a) ? 1 : 0 }
    if let note = GradientMethodSupport.zeroGradientNote(k, tasks: tasks, consequence: "never adjusted") { report.notes.append(note) }
    return report
  }

  public func stateDict() -> [String: Tensor] {
    variant == .gradvac ? ["targets": ExactStateCoding.encode(doubles: targets)] : [:]
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    guard variant == .gradvac else { return }
    guard let t = state["targets"] else {
      throw MTLStepError("pri-gradvac state: expected 'targets' (\(targets.count) doubles) as an exact encoding")
    }
    targets = try ExactStateCoding.decodeDoubles(t, key: "targets", expectedCount: targets.count)
  }
}
