import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ATW (approximation): our reconstruction of the adaptive task weighting of Chen et al.,
/// "UMT-Net", IEEE T-IV 2024, whose formula is not available. **Not the published
/// method.**
///
/// What is known: it builds on uncertainty weighting and combines the short-term variation with the
/// long-term statistics of the task losses for more stable weights. The approximation (spec's
/// `ATW-approx`): UW's per-task term (`ℓ = log σ²`, initial −0.5) multiplied by a DWA-style
/// factor from two exponential moving averages of the loss, updated every step with this step's
/// loss (both start at the first loss):
///
///     S_t ← β_s S_t + (1 − β_s) L_t,   M_t ← β_l M_t + (1 − β_l) L_t,   r_t = S_t / M_t
///     f_t = T · softmax(r / τ)_t
///     L = Σ_t f_t [ ½ e^{−ℓ_t} L_t + ½ ℓ_t ]
///
/// A task whose recent loss is high relative to its long-run level (slow progress, `r_t > 1`) gets a
/// larger factor. The factor multiplies the whole UW term, so `ℓ_t` keeps UW's stationary point
/// `e^{ℓ_t} = L_t` (a factor on the data term alone would be absorbed by `ℓ`). Defaults: β_s = 0.9,
/// β_l = 0.99, τ = 2 (DWA's). Type (A): `weight/<task>` reports `f_t · ½ e^{−ℓ_t}`, `factor/<task>`
/// reports `f_t`. A zero long-run average gives the ratio 1.
public final class ATWApproximation: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "atw-approx", title: "ATW (approximation)",
    reference: "Approximation of Chen et al., UMT-Net, IEEE T-IV 2024 (formula unavailable): UW terms scaled by T·softmax of short/long loss-EMA ratios. Not equivalent to the published method.",
    summary: "Uncertainty weighting whose terms are scaled by a DWA-style factor from short- and long-term loss averages.",
    kind: .lossWeighting, requirements: [.losses],
    options: [
      OptionSpec("init", default: "-0.5", "initial log variance ℓ of every task"),
      OptionSpec("short_decay", default: "0.9", "decay β_s of the short-term loss average"),
      OptionSpec("long_decay", default: "0.99", "decay β_l of the long-term loss average"),
      OptionSpec("temperature", default: "2", "softmax temperature τ of the factor"),
    ],
    isApproximation: true,
    make: { ctx in try ATWApproximation(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let shortDecay: Double
  public let longDecay: Double
  public let temperature: Double
  /// The log variances `ℓ_t` (learnable; add them to the optimiser).
  public let logVariance: Parameter
  /// The short- and long-term loss averages (nil before the first step).
  public private(set) var shortAverage: [Double]?
  public private(set) var longAverage: [Double]?

  public var parameters: [(name: String, parameter: Parameter)] { [("log_variance", logVariance)] }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    let initial = try o.double("init", range: -30...30)
    shortDecay = try o.double("short_decay", range: 0...1)
    longDecay = try o.double("long_decay", range: 0...1)
    temperature = try o.double("temperature", range: 1e-6...1e6)
    resolvedOptions = o.resolved
    logVariance = Parameter(Tensor(shape: [ctx.tasks.count], repeating: Float(initial)))
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    var report = StepReport()
    let losses = step.lossValues.map(Double.init)
    var s = shortAverage ?? losses
    var m = longAverage ?? losses
    if shortAverage != nil {
      for t in 0..<tasks.count {
        s[t] = shortDecay * s[t] + (1 - shortDecay) * losses[t]
        m[t] = longDecay * m[t] + (1 - longDecay) * losses[t]
      }
    }
    shortAverage = s
    longAverage = m
    let r = (0..<tasks.count).map { m[$0] > 0 && m[$0].isFinite && s[$0].isFinite ? s[$0] / m[$0] : 1 }
    let top = r.max()!
    let e = r.map { exp(($0 - top) / temperature) }
    let total = e.reduce(0, +)
    let factor = e.map { Double(tasks.count) * $0 / total }

    var objective: Tensor? = nil
    for t in 0..<tasks.count {
      let term = UncertaintyWeighting.objective(losses: [step.scalarLoss(t)], logVariance: logVariance.value, indices: [t]) * Float(factor[t])
      objective = objective.map { $0 + term } ?? term
    }
    try step.backwardLossObjective(objective!)
    let l = logVariance.value.scalars
    report.set("weight", (0..<tasks.count).map { Float(factor[$0] * 0.5 * exp(-Double(l[$0]))) }, tasks: tasks)
    report.set("factor", factor.map(Float.init), tasks: tasks)
    report.set("loss_ratio", r.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out = ["log_variance": logVariance.value.detached()]
    if let s = shortAverage, let m = longAverage {
      out["short_average"] = ExactStateCoding.encode(doubles: s)
      out["long_average"] = ExactStateCoding.encode(doubles: m)
    }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let l = try state.required("log_variance", count: tasks.count)
    var s: [Double]? = nil
    var m: [Double]? = nil
    if let st = state["short_average"] {
      s = try ExactStateCoding.decodeDoubles(st, key: "short_average", expectedCount: tasks.count)
      m = try ExactStateCoding.decodeDoubles(try state.required("long_average"), key: "long_average", expectedCount: tasks.count)
    }
    logVariance.assign(l.reshaped(logVariance.shape))
    shortAverage = s
    longAverage = m
  }
}
