import AuxEngine
import AuxNN

/// GradDrop: Chen, Ngiam, Huang, Luong, Kretzschmar, Chai, Anguelov, "Just Pick a Sign:
/// Optimizing Deep Multitask Models with Gradient Sign Dropout", NeurIPS 2020.
///
/// At the shared representation `z` (the "GradDrop layer"), for every feature element the
/// method keeps, at random with probability given by the sign purity of the tasks' gradients,
/// only the positive or only the negative task gradients, and sends their sum through the
/// encoder (``GradDropSolver``, LibMTL's `GradDrop`: `sign(z)` weighting, sum over the batch,
/// mask broadcast over the batch). The task heads receive the gradient of `Σ_t L_t` (type B).
/// Representation level only (the Auto-Lambda/CAGrad repositories' simplified variant on
/// parameter gradients, without `sign(z)`, is not implemented).
///
/// Option `leak` (0): ℓ, the fraction of a dropped gradient that is kept.
///
/// Randomness: `U` is drawn from a generator seeded with the method's seed, one value per
/// element of a sample (`z.count / z.shape[0]`), in order; its state is part of ``stateDict()``.
///
/// Reported: `weight/<task>` = the fraction of the task's squared feature-gradient norm that was
/// kept, `⟨(ℓ + (1−ℓ)M_t) ⊙ h_t, h_t⟩ / ‖h_t‖²` (0 for a zero gradient).
public final class GradientSignDropout: WeightingMethod {
  /// The registry entry of `graddrop`.
  public static let descriptor = MethodDescriptor(
    name: "graddrop", title: "GradDrop (gradient sign dropout)",
    reference: "Chen et al. Just Pick a Sign: Optimizing Deep Multitask Models with Gradient Sign Dropout. NeurIPS 2020. Convention: LibMTL GradDrop at the shared representation (sign(z), batch sum, leak 0).",
    summary: "Randomly keeps only the positive or only the negative task gradients at each feature, with probability set by their sign purity.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients],
    options: [OptionSpec("leak", default: "0", "fraction ℓ of a dropped gradient that is kept")],
    make: { ctx in try GradientSignDropout(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The leak ℓ (`leak` option).
  public let leak: Double
  /// The generator of `U`.
  public private(set) var generator: RandomGenerator

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    leak = try o.double("leak", range: 0...1)
    generator = RandomGenerator(seed: ctx.seed)
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let shared = try step.requireShared(descriptor.name)
    let h = step.backwardDecoders(GradientMethodSupport.sum(step.losses))
    for (t, x) in h.enumerated() {
      let finite = x.withUnsafeBufferPointer { b in b.allSatisfy(\.isFinite) }
      guard finite else { throw MTLStepError("graddrop: the feature gradient of task '\(tasks[t].name)' is not finite (NaN or infinite loss?)") }
    }
    let z = shared.features
    let perSample = z.rank >= 1 && z.shape[0] > 0 ? z.count / z.shape[0] : z.count
    var u = Tensor.uninitialized([perSample])
    u.withUnsafeMutableBufferPointer { b in for i in 0..<b.count { b[i] = generator.nextUniform() } }
    let (gradient, kept) = GradDropSolver.combine(featureGradients: h, features: z.detached(), uniforms: u, leak: Float(leak))
    try step.backwardEncoder(gradient)
    var report = StepReport()
    report.set("weight", kept.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] { ["rng": ExactStateCoding.encode(generator)] }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    guard let t = state["rng"] else {
      throw MTLStepError("graddrop state: expected 'rng' (the generator's five words as 20 chunks), found \(state["rng"].map { "shape \($0.shape)" } ?? "nothing")")
    }
    generator = try ExactStateCoding.decodeGenerator(t, key: "rng")
  }
}
