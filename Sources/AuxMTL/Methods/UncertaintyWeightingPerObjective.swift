import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// UW per objective (approximation of Miraliev et al., IEEE T-IV 2024, whose formula is not
/// available). **Not the published method.**
///
/// What is known: learnable weights for every objective term within a task (e.g. the Dice and IoU
/// terms of a segmentation head get separate weights). The approximation applies UW (
/// `ℓ = log σ²`, initial −0.5) to every term `L_{t,k}`:
///
///     L = Σ_{t,k} [ ½ e^{−ℓ_{t,k}} L_{t,k} + ½ ℓ_{t,k} ]
///
/// For tasks with a single term it is exactly UW (consistent with the near-identical UW and Miraliev
/// numbers in IAL's Table I).
///
/// The number of terms per task is fixed when the method is made, by the `terms` option:
/// comma-separated `task:count` pairs (tasks not named have one term), e.g. `seg:2,depth:1`. Steps
/// then pass the terms in ``MTLStep/lossTerms`` (`lossTerms[t]` has `count` scalars); without
/// `lossTerms`, every task must have one term and ``MTLStep/losses`` are used.
///
/// Type (A). `term_weight<k>/<task>` reports `½ e^{−ℓ_{t,k}}`; `weight/<task>` reports the task's
/// effective weight on its loss, `Σ_k w_{t,k} L_{t,k} / Σ_k L_{t,k}` (the term weight itself for a
/// single term, the mean term weight when the task's terms sum to zero).
public final class UncertaintyWeightingPerObjective: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "uw-per-objective", title: "Miraliev et al. (approximation): UW per objective term",
    reference: "Approximation of Miraliev et al., IEEE T-IV 2024 (formula unavailable): Kendall et al.'s UW (ℓ = log σ², init −0.5) on every loss term of every task. Not equivalent to the published method.",
    summary: "Uncertainty weighting applied to each objective term of each task separately.",
    kind: .lossWeighting, requirements: [.losses],
    options: [
      OptionSpec("terms", default: "", "terms per task as task:count pairs, e.g. seg:2 (unnamed tasks: 1)"),
      OptionSpec("init", default: "-0.5", "initial log variance ℓ of every term"),
    ],
    isApproximation: true,
    make: { ctx in try UncertaintyWeightingPerObjective(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// Number of objective terms of each task.
  public let termCounts: [Int]
  /// Offset of task t's first term in ``logVariance``.
  let offsets: [Int]
  /// The log variances `ℓ_{t,k}`, task-major (learnable; add them to the optimiser).
  public let logVariance: Parameter

  public var parameters: [(name: String, parameter: Parameter)] { [("log_variance", logVariance)] }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    let spec = try o.string("terms")
    let initial = try o.double("init", range: -30...30)
    resolvedOptions = o.resolved
    var counts = [Int](repeating: 1, count: ctx.tasks.count)
    for entry in spec.split(separator: ",", omittingEmptySubsequences: true) {
      let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map { String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
      guard parts.count == 2, let n = Int(parts[1]), n >= 1 else {
        throw MethodOptionError(method: ctx.descriptor.name, "option 'terms': each entry must be task:count with count ≥ 1; found '\(entry)'")
      }
      guard let t = ctx.tasks.firstIndex(where: { $0.name == parts[0] }) else {
        throw MethodOptionError(method: ctx.descriptor.name, "option 'terms': unknown task '\(parts[0])' (tasks: \(ctx.tasks.names.joined(separator: ", ")))")
      }
      counts[t] = n
    }
    termCounts = counts
    var off = [Int]()
    var total = 0
    for c in counts {
      off.append(total)
      total += c
    }
    offsets = off
    logVariance = Parameter(Tensor(shape: [total], repeating: Float(initial)))
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let terms: [[Tensor]]
    if let given = step.lossTerms {
      for t in 0..<tasks.count where given[t].count != termCounts[t] {
        throw MTLStepError("uw-per-objective: task '\(tasks[t].name)' has \(given[t].count) loss terms in the step, but the method was made for \(termCounts[t]) (option 'terms')")
      }
      terms = given
    } else {
      if let t = termCounts.firstIndex(where: { $0 != 1 }) {
        throw MTLStepError("uw-per-objective: task '\(tasks[t].name)' has \(termCounts[t]) terms; pass them in the step's `lossTerms:`")
      }
      terms = (0..<tasks.count).map { [step.scalarLoss($0)] }
    }
    var flat: [Tensor] = []
    var indices: [Int] = []
    for t in 0..<tasks.count {
      for (k, term) in terms[t].enumerated() {
        flat.append(term.reshaped([]))
        indices.append(offsets[t] + k)
      }
    }
    try step.backwardLossObjective(UncertaintyWeighting.objective(losses: flat, logVariance: logVariance.value, indices: indices))

    var report = StepReport()
    let l = logVariance.value.scalars.map(Double.init)
    var effective = [Float]()
    for t in 0..<tasks.count {
      let w = (0..<termCounts[t]).map { 0.5 * exp(-l[offsets[t] + $0]) }
      let values = terms[t].map { Double($0.item) }
      let sum = values.reduce(0, +)
      if termCounts[t] == 1 {
        effective.append(Float(w[0]))
      } else if sum != 0 && sum.isFinite {
        effective.append(Float(zip(w, values).reduce(0) { $0 + $1.0 * $1.1 } / sum))
      } else {
        effective.append(Float(w.reduce(0, +) / Double(w.count)))
      }
      for k in 0..<termCounts[t] { report.values["term_weight\(k)/\(tasks[t].name)"] = Float(w[k]) }
    }
    report.set("weight", effective, tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] { ["log_variance": logVariance.value.detached()] }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    logVariance.assign(try state.required("log_variance", count: logVariance.value.count).reshaped(logVariance.shape))
  }
}
