import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Random loss weighting (RLW): Lin, Ye, Zhang, "Reasonable Effectiveness of Random Weighting: A
/// Litmus Test for Multi-Task Learning", TMLR 2022 (arXiv 2111.10603).
///
/// Every step draws fresh weights `λ = f(λ̃)` and trains on `Σ_t λ_t L_t` (type (A); `weight/<task>`
/// reports `λ_t`). The `distribution` option chooses `λ̃` and `f`:
///
/// - `normal` (default, LibMTL's default): `λ̃ ~ N(0, I)`, `f = softmax`.
/// - `dirichlet`: `λ̃ ~ Dir(1)`, `f = softmax` (as the RLW authors' early LibMTL code and the IAL
///   code do: the softmax is applied to the Dirichlet sample).
/// - `uniform`: `λ̃ ~ U(0, 1)^T`, `f = softmax`.
/// - `bernoulli`: `λ̃ ~ Bernoulli(½)^T`, drawn again while all zero; `f` = identity (LibMTL), or
///   division by the sum with `bernoulli_normalize = true` (IAL code).
/// - `constrained-bernoulli`: a one-hot vector on a uniformly drawn task.
/// - `random-normal`: `λ̃_t ~ N(μ_t, σ_t)` with `μ_t, σ_t ~ U(0, 1)` drawn once per run,
///   `f = softmax` (IAL code's `RandomNormal`).
///
/// Draws come from a ``RandomGenerator`` seeded with the run's seed, in task order; its state is
/// part of ``stateDict()``, so a resumed run draws the same weights as an uninterrupted one. Not
/// invariant to the order of the auxiliary tasks for a fixed seed (the i-th draw goes to the i-th
/// task), although it is in distribution.
public final class RandomLossWeighting: WeightingMethod {
  public static let distributions = ["normal", "dirichlet", "uniform", "bernoulli", "constrained-bernoulli", "random-normal"]

  public static let descriptor = MethodDescriptor(
    name: "rlw", title: "Random loss weighting (RLW)",
    reference: "Lin, Ye, Zhang. Reasonable Effectiveness of Random Weighting: A Litmus Test for Multi-Task Learning. TMLR 2022 (arXiv 2111.10603). Conventions: LibMTL RLW (softmax of Normal/Uniform/Dirichlet samples, raw Bernoulli); IAL code for random-normal and normalised Bernoulli.",
    summary: "Draws random loss weights every step (softmax of a Normal sample by default).",
    kind: .lossWeighting, requirements: [.losses],
    options: [
      OptionSpec("distribution", default: "normal", "distribution of the random weights", allowed: distributions),
      OptionSpec("bernoulli_normalize", default: "false", "bernoulli: divide the 0/1 vector by its sum (IAL code); false keeps it raw (LibMTL)", allowed: ["true", "false"]),
    ],
    auxiliaryOrderInvariant: false,
    make: { ctx in try RandomLossWeighting(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let distribution: String
  public let bernoulliNormalize: Bool
  /// The generator the weights are drawn from.
  public private(set) var rng: RandomGenerator
  /// `random-normal`: the per-task means and standard deviations, fixed per run.
  public private(set) var means: [Float]
  public private(set) var deviations: [Float]

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    distribution = try o.string("distribution")
    bernoulliNormalize = try o.bool("bernoulli_normalize")
    resolvedOptions = o.resolved
    rng = RandomGenerator(seed: ctx.seed)
    means = []
    deviations = []
    if distribution == "random-normal" {
      means = (0..<ctx.tasks.count).map { _ in rng.nextUniform() }
      deviations = (0..<ctx.tasks.count).map { _ in rng.nextUniform() }
    }
  }

  /// Draws one weight vector from the configured distribution (advances the generator).
  func sample() -> [Double] {
    let n = tasks.count
    switch distribution {
    case "normal":
      return Self.softmax((0..<n).map { _ in Double(rng.nextNormal()) })
    case "uniform":
      return Self.softmax((0..<n).map { _ in Double(rng.nextUniform()) })
    case "dirichlet":
      let g = (0..<n).map { _ in rng.nextGamma(shape: 1) }
      let s = g.reduce(0, +)
      return Self.softmax(g.map { $0 / s })
    case "random-normal":
      return Self.softmax((0..<n).map { Double(means[$0]) + Double(deviations[$0]) * Double(rng.nextNormal()) })
    case "bernoulli":
      var b: [Double]
      repeat {
        b = (0..<n).map { _ in rng.nextUniform() < 0.5 ? 1 : 0 }
      } while !b.contains(1)
      if bernoulliNormalize {
        let s = b.reduce(0, +)
        b = b.map { $0 / s }
      }
      return b
    case "constrained-bernoulli":
      var b = [Double](repeating: 0, count: n)
      b[rng.nextInt(below: n)] = 1
      return b
    default:
      preconditionFailure("RLW: unknown distribution '\(distribution)' passed option validation")
    }
  }

  static func softmax(_ x: [Double]) -> [Double] {
    let m = x.max() ?? 0
    let e = x.map { exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let lambda = sample()
    try step.backwardLossObjective(step.weightedLossSum(lambda))
    var report = StepReport()
    report.set("weight", lambda.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out = ["rng": ExactStateCoding.encode(rng)]
    if distribution == "random-normal" {
      out["means"] = Tensor(means)
      out["deviations"] = Tensor(deviations)
    }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    rng = try ExactStateCoding.decodeGenerator(try state.required("rng"), key: "rng")
    if distribution == "random-normal" {
      means = try state.required("means", count: tasks.count).scalars
      deviations = try state.required("deviations", count: tasks.count).scalars
    }
  }
}
