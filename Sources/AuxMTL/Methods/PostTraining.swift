import AuxEngine
import AuxNN

/// The "post-train" baseline of auxiliary learning: train on all tasks, then fine-tune on the
/// primary tasks alone (e.g. the pre-train/fine-tune baselines of Navon et al., AuxiLearn, ICLR
/// 2021, and Shamsian et al., AuxiNash, ICML 2023).
///
/// A two-phase training procedure expressed as a loss weighting with explicit state, through the
/// same step as every method: steps of epochs `e < switch_epoch` minimise `Σ_t L_t` (equal
/// weighting, phase 1); from epoch `switch_epoch` on only `Σ_{p} L_p` (phase 2: auxiliary weights
/// 0, so the auxiliary heads and their gradients through the encoder stop). The phase is a function
/// of the step's epoch only, so a resumed run is in the right phase without extra state.
///
/// What is exact and what is not: the two objectives are exactly those of the baseline. The
/// optimiser and the learning-rate schedule carry on across the switch (the training loop owns
/// them): papers that restart the optimiser or the schedule for the fine-tuning phase are not
/// reproduced; neither is a separate epoch budget for phase 2 — set `switch_epoch` to where the
/// fine-tuning should start within `training.epochs` (e.g. half of it).
///
/// Reported: `weight/<task>` (1 or 0) and `phase` (1 or 2).
public final class PostTraining: WeightingMethod {
  /// The registry entry of `post-train`.
  public static let descriptor = MethodDescriptor(
    name: "post-train", title: "Post-train (all tasks, then primary fine-tuning)",
    reference: "The train-with-auxiliaries-then-fine-tune baseline of auxiliary learning (e.g. Navon et al., AuxiLearn, ICLR 2021; Shamsian et al., AuxiNash, ICML 2023). Convention: equal weighting before switch_epoch, primary losses only from it; optimiser and schedule continue.",
    summary: "Trains on the sum of all losses, then from a chosen epoch on the primary losses only.",
    kind: .lossWeighting, requirements: [.losses],
    options: [OptionSpec("switch_epoch", default: "10", "0-based epoch from which only the primary tasks train (set it for your schedule, e.g. half of training.epochs)")],
    auxiliaryOnly: true, primaryAware: true,
    make: { ctx in try PostTraining(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The first epoch of phase 2.
  public let switchEpoch: Int

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    switchEpoch = try o.int("switch_epoch", range: 0...1_000_000)
    resolvedOptions = o.resolved
  }

  /// The weights at `epoch`.
  public func weights(epoch: Int) -> [Double] {
    epoch < switchEpoch ? [Double](repeating: 1, count: tasks.count) : tasks.map { $0.isPrimary ? 1 : 0 }
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let w = weights(epoch: step.epoch)
    try step.backwardLossObjective(step.weightedLossSum(w))
    var report = StepReport()
    report.set("weight", w.map(Float.init), tasks: tasks)
    report.values["phase"] = step.epoch < switchEpoch ? 1 : 2
    return report
  }
}
