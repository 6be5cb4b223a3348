import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Dynamic weight average (DWA): Liu, Johns, Davison, "End-to-End Multi-Task Learning with
/// Attention", CVPR 2019.
///
/// The weights change once per epoch, from the epoch-averaged training losses `L̄_t` (the mean over
/// the epoch's steps of each step's loss, as MTAN's `avg_cost`):
///
///     r_t = L̄_t(k−1) / L̄_t(k−2),   λ_t(k) = T · exp(r_t/τ) / Σ_j exp(r_j/τ)
///
/// and `λ = 1` during the first two epochs (`k < 2`). A task whose loss falls more slowly gets more
/// weight. Type (A): `weight/<task>` reports `λ_t`; `loss_ratio/<task>` reports `r_t`.
///
/// The epoch comes from ``MTLStep/epoch``: the method averages the losses it sees during an epoch
/// and closes the epoch when a step of a later epoch arrives, so it needs no end-of-epoch call. It
/// uses the two most recently completed epochs (k−1 and k−2 in an ordinary run). An epoch average
/// of zero (a task with zero loss for a whole epoch) gives that task the ratio 1, with a note.
public final class DynamicWeightAverage: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "dwa", title: "Dynamic weight average (DWA)",
    reference: "Liu, Johns, Davison. End-to-End Multi-Task Learning with Attention. CVPR 2019. Convention: MTAN/LibMTL DWA (epoch-averaged losses, T·softmax(r/τ), weight 1 in the first two epochs).",
    summary: "Weights tasks per epoch by T·softmax of the ratio of their last two epoch-averaged losses.",
    kind: .lossWeighting, requirements: [.losses],
    options: [OptionSpec("temperature", default: "2", "softmax temperature τ")],
    make: { ctx in try DynamicWeightAverage(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let temperature: Double

  /// The epoch being accumulated (nil before the first step).
  public private(set) var currentEpoch: Int?
  /// Running sums of this epoch's losses and the number of steps.
  private var sums: [Double]
  private var stepCount = 0
  /// Averages of the completed epochs, oldest first, at most two.
  public private(set) var history: [(epoch: Int, averages: [Double])] = []

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    temperature = try o.double("temperature", range: 1e-6...1e6)
    resolvedOptions = o.resolved
    sums = [Double](repeating: 0, count: ctx.tasks.count)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    var report = StepReport()
    let epoch = step.epoch
    if let current = currentEpoch, epoch != current {
      guard epoch > current else {
        throw MTLStepError("dwa: step of epoch \(epoch) after a step of epoch \(current); epochs must not go backwards (load the method's state when resuming)")
      }
      if stepCount > 0 {
        history.append((current, sums.map { $0 / Double(stepCount) }))
        if history.count > 2 { history.removeFirst() }
      }
      sums = [Double](repeating: 0, count: tasks.count)
      stepCount = 0
    }
    currentEpoch = epoch

    var lambda = [Double](repeating: 1, count: tasks.count)
    if epoch >= 2 {
      if history.count == 2 {
        let (older, newer) = (history[0].averages, history[1].averages)
        var r = [Double](repeating: 1, count: tasks.count)
        for t in 0..<tasks.count {
          if older[t] > 0 && older[t].isFinite && newer[t].isFinite {
            r[t] = newer[t] / older[t]
          } else {
            report.notes.append("task '\(tasks[t].name)': epoch-average loss \(older[t]) cannot be divided by; ratio set to 1")
          }
        }
        let m = r.max()!
        let e = r.map { exp(($0 - m) / temperature) }
        let s = e.reduce(0, +)
        lambda = e.map { Double(tasks.count) * $0 / s }
        report.set("loss_ratio", r.map(Float.init), tasks: tasks)
      } else {
        report.notes.append("fewer than two completed epochs recorded; weights 1")
      }
    }

    for (t, v) in step.lossValues.enumerated() { sums[t] += Double(v) }
    stepCount += 1

    try step.backwardLossObjective(step.weightedLossSum(lambda))
    report.set("weight", lambda.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = [
      "current_epoch": ExactStateCoding.encode(count: currentEpoch ?? -1),
      "sums": ExactStateCoding.encode(doubles: sums),
      "step_count": ExactStateCoding.encode(count: stepCount),
    ]
    for (k, h) in history.enumerated() {
      out["history\(k).epoch"] = ExactStateCoding.encode(count: h.epoch)
      out["history\(k).averages"] = ExactStateCoding.encode(doubles: h.averages)
    }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let e = try ExactStateCoding.decodeCount(try state.required("current_epoch"), key: "current_epoch")
    let s = try ExactStateCoding.decodeDoubles(try state.required("sums"), key: "sums", expectedCount: tasks.count)
    let c = try ExactStateCoding.decodeCount(try state.required("step_count"), key: "step_count")
    var h: [(epoch: Int, averages: [Double])] = []
    for k in 0..<2 {
      guard let et = state["history\(k).epoch"] else { break }
      let ep = try ExactStateCoding.decodeCount(et, key: "history\(k).epoch")
      let av = try ExactStateCoding.decodeDoubles(try state.required("history\(k).averages"), key: "history\(k).averages", expectedCount: tasks.count)
      h.append((ep, av))
    }
    currentEpoch = e < 0 ? nil : e
    sums = s
    stepCount = c
    history = h
  }
}
