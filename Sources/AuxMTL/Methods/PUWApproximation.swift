import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// PUW (approximation): our reconstruction of the particle-filter task weighting of Aghajanzadeh et
/// al., Pattern Recognition 140, 2023, whose likelihood and resampling details are not available
///. **Not the published method.**
///
/// What is known: task-weight vectors are particles; a particle filter with a Bayesian estimator
/// moves the weights towards those giving high performance and low predictive uncertainty. The
/// approximation (spec's `PUW-approx`):
///
/// - `N` particles `λ⁽ⁱ⁾` on the simplex Δ_T, drawn from Dir(1) with the run's seed.
/// - The network trains on `Σ_t T·λ̄_t L_t` (type (A)), `λ̄` the posterior mean; before the first
///   update (and during `warmup_steps`) `λ̄ = 1/T`, i.e. equal weighting.
/// - Every `interval` steps after the warm-up, before the training backward pass, each particle is
///   scored on the second batch (``LossEvaluator/validationLosses``) after a virtual plain-SGD step
///   with its weights, `θ′ᵢ = θ − α ∇_θ Σ_t T λ⁽ⁱ⁾_t L_t` (α = each parameter's group learning
///   rate; the per-task gradients `∇_θ L_t` over every optimiser parameter are computed once from
///   this step's loss graph):
///   `scoreᵢ = −Σ_{t∈P} L_t^val(θ′ᵢ) / L_t^val(θ)` (primary tasks P; all tasks in plain MTL).
///   Posterior weights `πᵢ ∝ exp(scoreᵢ / τ)`, `λ̄ = Σᵢ πᵢ λ⁽ⁱ⁾`; then systematic resampling by π
///   and a multiplicative log-normal jitter `λ ← normalise(λ ⊙ exp(σ·N(0, 1)))`. θ is restored
///   exactly after the evaluations.
/// - The spec's MC-dropout variance term (predictive uncertainty) is **omitted** (c = 0): the
///   method cannot switch a user model's dropout on for extra passes.
///
/// The validation closure must evaluate the same batch every time it is called within a step.
/// Cost of an update step: T retained backward passes (decoders and encoder) and N + 1 forward
/// passes on the validation batch; other steps cost what EW costs. `weight/<task>` reports
/// `T·λ̄_t`; `score<i>` values are reported on update steps.
public final class PUWApproximation: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "puw-approx", title: "PUW (approximation)",
    reference: "Approximation of Aghajanzadeh et al., Pattern Recognition 140, 2023 (likelihood and resampling unavailable): particles on the simplex scored by the normalised validation loss after a virtual step, posterior-mean weights, systematic resampling with jitter; MC-dropout term omitted. Not equivalent to the published method.",
    summary: "A particle filter over task-weight vectors, scoring each by the validation loss after a virtual step with its weights.",
    kind: .lossWeighting, requirements: [.losses, .lossEvaluator, .validationBatch, .optimizer],
    options: [
      OptionSpec("particles", default: "8", "number of particles N"),
      OptionSpec("interval", default: "10", "steps between particle updates"),
      OptionSpec("temperature", default: "0.1", "temperature τ of the posterior weights exp(score/τ)"),
      OptionSpec("jitter", default: "0.1", "standard deviation σ of the log-normal jitter after resampling"),
      OptionSpec("warmup_steps", default: "0", "steps of equal weighting before the first update (IAL used 3 % of the epochs)"),
    ],
    primaryAware: true, auxiliaryOrderInvariant: false,
    isApproximation: true,
    make: { ctx in try PUWApproximation(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let interval: Int
  public let temperature: Double
  public let jitter: Double
  public let warmupSteps: Int
  /// The particles, `[N][T]`, each on the simplex.
  public private(set) var particles: [[Float]]
  /// The posterior mean `λ̄` (sums to 1).
  public private(set) var posteriorMean: [Float]
  /// Steps seen.
  public private(set) var steps = 0
  public private(set) var rng: RandomGenerator

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    let n = try o.int("particles", range: 1...100_000)
    interval = try o.int("interval", range: 1...1_000_000_000)
    temperature = try o.double("temperature", range: 1e-12...1e12)
    jitter = try o.double("jitter", range: 0...100)
    warmupSteps = try o.int("warmup_steps", range: 0...1_000_000_000)
    resolvedOptions = o.resolved
    var g = RandomGenerator(seed: ctx.seed)
    let t = ctx.tasks.count
    particles = (0..<n).map { _ in
      let x = (0..<t).map { _ in g.nextGamma(shape: 1) }
      let s = x.reduce(0, +)
      return x.map { Float($0 / s) }
    }
    rng = g
    posteriorMean = [Float](repeating: 1 / Float(t), count: t)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    var report = StepReport()
    let k = steps
    if k >= warmupSteps && (k - warmupSteps) % interval == 0 {
      try update(step, report: &report)
    }
    steps += 1
    let w = posteriorMean.map { Double($0) * Double(tasks.count) }
    try step.backwardLossObjective(step.weightedLossSum(w))
    report.set("weight", w.map(Float.init), tasks: tasks)
    return report
  }

  func update(_ step: MTLStep, report: inout StepReport) throws {
    guard let optimizer = step.optimizer else {
      throw MTLStepError("puw-approx: needs the network's optimiser (`optimizer:` in the step) for the virtual steps")
    }
    guard let validation = step.evaluator?.validationLosses else {
      throw MTLStepError("puw-approx: needs `evaluator:` with `validationLosses` (a second batch) in the step")
    }
    let net = LookAheadParameters(optimizer)
    guard !net.isEmpty else { throw MTLStepError("puw-approx: the optimiser has no trainable parameters") }
    let count = tasks.count
    let meta = tasks.primaryIndices

    // ∇_θ L_t for every task, from the step's graph (kept for the training pass).
    let grads = (0..<count).map { net.gradients(of: step.scalarLoss($0), through: step, retainGraph: true) }
    let base = try Autograd.withoutGradients { try validation().map(\.item) }
    guard base.count == count else {
      throw MTLStepError("puw-approx: the evaluator returned \(base.count) validation losses for \(count) tasks")
    }

    let theta = net.snapshot()
    var scores = [Double]()
    for lambda in particles {
      var direction = [Tensor?](repeating: nil, count: net.parameters.count)
      for i in net.parameters.indices {
        let parts = (0..<count).compactMap { t in grads[t][i].map { ($0, Float(count) * lambda[t]) } }
        guard !parts.isEmpty else { continue }
        direction[i] = FeatureMath.sum(parts.map(\.0), weights: parts.map(\.1))
      }
      net.set(theta, plus: direction, scales: net.learningRates.map { -$0 })
      let after: [Float]
      do {
        after = try Autograd.withoutGradients { try validation().map(\.item) }
      } catch {
        net.restore(theta)
        throw error
      }
      var score = 0.0
      for t in meta {
        let b = Double(base[t])
        score -= b > 0 && b.isFinite ? Double(after[t]) / b : Double(after[t])
      }
      scores.append(score.isFinite ? score : -Double.infinity)
    }
    net.restore(theta)

    let top = scores.max()!
    guard top.isFinite else {
      report.notes.append("every particle's validation loss is non-finite; particles unchanged")
      return
    }
    let e = scores.map { exp(($0 - top) / temperature) }
    let z = e.reduce(0, +)
    let pi = e.map { $0 / z }
    var mean = [Double](repeating: 0, count: count)
    for (i, p) in particles.enumerated() {
      for t in 0..<count { mean[t] += pi[i] * Double(p[t]) }
    }
    posteriorMean = mean.map(Float.init)

    // Systematic resampling, then multiplicative jitter.
    let n = particles.count
    let u0 = rng.nextUniformDouble() / Double(n)
    var resampled: [[Float]] = []
    var cumulative = pi[0]
    var j = 0
    for i in 0..<n {
      let u = u0 + Double(i) / Double(n)
      while u > cumulative && j < n - 1 {
        j += 1
        cumulative += pi[j]
      }
      resampled.append(particles[j])
    }
    particles = resampled.map { p in
      let x = p.map { Double($0) * exp(jitter * Double(rng.nextNormal())) }
      let s = x.reduce(0, +)
      return x.map { Float($0 / s) }
    }
    for (i, s) in scores.enumerated() { report.values["score\(i)"] = Float(s) }
  }

  public func stateDict() -> [String: Tensor] {
    [
      "particles": Tensor(shape: [particles.count, tasks.count], scalars: particles.flatMap { $0 }),
      "posterior_mean": Tensor(posteriorMean),
      "steps": ExactStateCoding.encode(count: steps),
      "rng": ExactStateCoding.encode(rng),
    ]
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let p = try state.required("particles", count: particles.count * tasks.count).scalars
    let m = try state.required("posterior_mean", count: tasks.count).scalars
    let s = try ExactStateCoding.decodeCount(try state.required("steps"), key: "steps")
    let g = try ExactStateCoding.decodeGenerator(try state.required("rng"), key: "rng")
    particles = (0..<particles.count).map { Array(p[($0 * tasks.count)..<(($0 + 1) * tasks.count)]) }
    posteriorMean = m
    steps = s
    rng = g
  }
}
