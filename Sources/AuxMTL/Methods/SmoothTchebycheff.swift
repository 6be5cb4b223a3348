import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// STCH, smooth Tchebycheff scalarisation: Lin, Zhang, Yang, Zhang, Zhang, "Smooth Tchebycheff
/// Scalarization for Multi-Objective Optimization", ICML 2024; convention of LibMTL's `STCH`
/// (ported by the authors from `Xi-L/STCH`).
///
/// Three phases, by the step's 0-based epoch `e` and the option `warmup_epochs` `W` (default 4):
///
/// - `e < W`: the network minimises `Σ_t log(L_t + 10⁻²⁰)`, i.e. task weights `1/(L_t + 10⁻²⁰)`.
/// - `e = W`: the same, and every step's losses are added up; their mean over the epoch becomes
///   the nadir point `z_t` when the next epoch starts.
/// - `e > W`: the network minimises `T · μ · log Σ_t exp(u_t / μ)` with
///   `u_t = log(L_t / z_t + 10⁻²⁰)` (μ = `mu`, default 1). The weight of task t is
///   `T · softmax(u/μ)_t / (L_t + 10⁻²⁰ z_t)`.
///
/// The weights are computed from the loss values in Double and back-propagated as `Σ_t w_t L_t`,
/// which has the same gradient as the scalarised objective (type A). Losses must be non-negative
/// (the logarithm); a zero loss is allowed (the 10⁻²⁰ guard, as the reference).
///
/// State: the nadir point and the running sum and count of the warm-up epoch's losses, stored
/// exactly. Reported: `weight/<task>`, `phase` (0 warm-up, 1 nadir collection, 2 smooth
/// Tchebycheff), and `nadir/<task>` once known.
public final class SmoothTchebycheff: WeightingMethod {
  static let guardTerm = 1e-20

  /// The registry entry of `stch`.
  public static let descriptor = MethodDescriptor(
    name: "stch", title: "STCH (smooth Tchebycheff scalarisation)",
    reference: "Lin, Zhang, Yang, Zhang, Zhang. Smooth Tchebycheff Scalarization for Multi-Objective Optimization. ICML 2024. Convention: LibMTL STCH (log-loss warm-up, nadir = mean loss of the last warm-up epoch, μ = 1, objective scaled by T).",
    summary: "After a log-loss warm-up, minimises a smooth maximum of the tasks' log-losses relative to a nadir point, favouring the worst-off task.",
    kind: .lossWeighting, requirements: [.losses],
    options: [
      OptionSpec("mu", default: "1.0", "smoothing μ of the log-sum-exp (smaller: closer to the plain maximum)"),
      OptionSpec("warmup_epochs", default: "4", "epochs of log-loss training before the nadir epoch (LibMTL STCH_warmup_epoch)"),
    ],
    make: { ctx in try SmoothTchebycheff(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The smoothing μ.
  public let mu: Double
  /// The warm-up epochs `W`.
  public let warmupEpochs: Int
  /// The nadir point `z` (nil until the nadir epoch has ended).
  public private(set) var nadir: [Double]?
  /// Sum of the nadir epoch's losses so far, and how many steps.
  public private(set) var lossSum: [Double]
  public private(set) var lossCount = 0

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    mu = try o.double("mu", range: 1e-6...1e6)
    warmupEpochs = try o.int("warmup_epochs", range: 0...1_000_000)
    resolvedOptions = o.resolved
    lossSum = [Double](repeating: 0, count: ctx.tasks.count)
  }

  /// The weights of the smooth Tchebycheff objective at `losses` with nadir `z`.
  static func weights(losses: [Double], nadir z: [Double], mu: Double) -> [Double] {
    let u = zip(losses, z).map { log($0 / $1 + guardTerm) / mu }
    let m = u.max()!
    let e = u.map { exp($0 - m) }
    let s = e.reduce(0, +)
    let t = Double(losses.count)
    return losses.indices.map { i in t * (e[i] / s) / (losses[i] + guardTerm * z[i]) }
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let values = step.lossValues.map(Double.init)
    for (t, l) in values.enumerated() where !(l >= 0 && l.isFinite) {
      throw MTLStepError("stch: the loss of task '\(tasks[t].name)' is \(l); STCH takes logarithms and needs non-negative finite losses")
    }
    var report = StepReport()
    let w: [Double]
    if step.epoch <= warmupEpochs {
      w = values.map { 1 / ($0 + Self.guardTerm) }
      if step.epoch == warmupEpochs {
        for t in values.indices { lossSum[t] += values[t] }
        lossCount += 1
      }
      report.values["phase"] = step.epoch < warmupEpochs ? 0 : 1
    } else {
      if nadir == nil {
        guard lossCount > 0 else {
          throw MTLStepError("stch: epoch \(step.epoch) is past the nadir epoch \(warmupEpochs), but no step of epoch \(warmupEpochs) was seen (resumed from a state without it?)")
        }
        let z = lossSum.map { $0 / Double(lossCount) }
        if let bad = z.firstIndex(where: { !($0 > 0) }) {
          throw MTLStepError("stch: the nadir loss of task '\(tasks[bad].name)' (mean loss of epoch \(warmupEpochs)) is \(z[bad]); it must be positive")
        }
        nadir = z
      }
      w = Self.weights(losses: values, nadir: nadir!, mu: mu)
      report.values["phase"] = 2
    }
    try step.backwardLossObjective(step.weightedLossSum(w))
    report.set("weight", w.map(Float.init), tasks: tasks)
    if let nadir { report.set("nadir", nadir.map(Float.init), tasks: tasks) }
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = [
      "loss_sum": ExactStateCoding.encode(doubles: lossSum), "loss_count": ExactStateCoding.encode(count: lossCount),
    ]
    if let nadir { out["nadir"] = ExactStateCoding.encode(doubles: nadir) }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let n = tasks.count
    guard let s = state["loss_sum"], let c = state["loss_count"] else {
      throw MTLStepError("stch state: expected 'loss_sum' (\(n) doubles) and 'loss_count' (1 word) as exact encodings")
    }
    let sum = try ExactStateCoding.decodeDoubles(s, key: "loss_sum", expectedCount: n)
    let count = try ExactStateCoding.decodeCount(c, key: "loss_count")
    let z = try state["nadir"].map { try ExactStateCoding.decodeDoubles($0, key: "nadir", expectedCount: n) }
    lossSum = sum
    lossCount = count
    nadir = z
  }
}
