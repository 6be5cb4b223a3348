import AuxEngine
import AuxNN

/// Equal weighting (EW, "Uniform"): the plain sum of task losses, weight 1 each(LibMTL
/// `EW` and Auto-Lambda `equal` use weight 1, not 1/T — the scale matters under SGD).
///
/// The floor every other method is measured against: one decoder pass and one encoder pass, which
/// together are exactly one backward pass of `Σ_t L_t`.
public final class EqualWeighting: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "ew", title: "Equal weighting (Uniform)",
    reference: "The uniform-sum baseline of every MTL paper; convention: weight 1 per task (LibMTL EW, Auto-Lambda equal).",
    summary: "Minimises the plain sum of the task losses.",
    kind: .lossWeighting, requirements: [.losses],
    dataParallel: true, make: { ctx in EqualWeighting(tasks: ctx.tasks) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public var resolvedOptions: [String: String] { [:] }

  public init(tasks: [TaskInfo]) { self.tasks = tasks }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    var total = step.losses[0].reshaped([])
    for l in step.losses.dropFirst() { total = total + l.reshaped([]) }
    let h = step.backwardDecoders(total)
    if !h.isEmpty {
      var sum = h[0]
      for g in h.dropFirst() { sum = sum + g }
      try step.backwardEncoder(sum)
    }
    var report = StepReport()
    report.set("weight", [Float](repeating: 1, count: tasks.count), tasks: tasks)
    return report
  }
}
