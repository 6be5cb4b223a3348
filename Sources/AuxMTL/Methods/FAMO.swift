import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// FAMO, fast adaptive multitask optimisation: Liu, Liang, Stone, Liu, "FAMO: Fast Adaptive
/// Multitask Optimization", NeurIPS 2023.
///
/// Task logits `ξ` (initial 0), `z = softmax(ξ)`. The network is trained on
///
///     Σ_t z_t log(L_t + ε) / c,   c = sg[Σ_t z_t / (L_t + ε)],   ε = 10⁻⁸
///
/// (minimum losses `L*_t = 0`), i.e. task t's loss gets the weight `z_t / (c (L_t + ε))`
/// (type (A); `weight/<task>` reports it, `softmax/<task>` and `logit/<task>` report `z` and `ξ`).
/// After the optimiser step the losses are recomputed on the same batch without gradients
/// (``LossEvaluator/trainingLosses``) and `ξ` takes one Adam step (its own optimiser: lr 0.025,
/// L2 weight decay 10⁻³ as in FAMO's NYUv2 script and LibMTL) on the gradient
///
///     ∇_ξ = J_softmax(ξ)ᵀ δ,   δ_t = log(L_t^before + ε) − log(L_t^after + ε).
///
/// `reuse_next_losses = true` skips the extra forward pass: the update for step k is made at the
/// start of step k+1 with that step's losses (a different batch) as `L^after`; off by default (the
/// reference trainers re-evaluate the same batch). `max_norm > 0` clips the shared gradient's norm
/// as FAMO's trainers do (their default 1.0); 0 (default) follows the spec's formula without
/// clipping.
///
/// Negative losses are refused (the logarithm needs `L_t + ε > 0`); zero losses are fine.
public final class FAMO: WeightingMethod {
  static let epsilon = 1e-8

  public static let descriptor = MethodDescriptor(
    name: "famo", title: "FAMO",
    reference: "Liu, Liang, Stone, Liu. FAMO: Fast Adaptive Multitask Optimization. NeurIPS 2023. Convention: Cranial-XIX/FAMO (min losses 0, ε = 1e-8, post-step losses on the same batch, Adam on the logits, lr 0.025, weight decay 1e-3 as in its NYUv2 script).",
    summary: "Weights log-losses by softmax logits that an Adam step moves towards the tasks whose losses fell least.",
    kind: .lossWeighting, requirements: [.losses, .lossEvaluator],
    options: [
      OptionSpec("lr", default: "0.025", "Adam learning rate of the logits ξ"),
      OptionSpec("weight_decay", default: "0.001", "Adam L2 weight decay γ of the logits"),
      OptionSpec("reuse_next_losses", default: "false", "update ξ from the next step's losses instead of re-evaluating the batch after the step", allowed: ["true", "false"]),
      OptionSpec("max_norm", default: "0", "clip the shared gradient to this norm (FAMO trainers: 1.0); 0 = no clipping"),
    ],
    make: { ctx in try FAMO(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let reuseNextLosses: Bool
  /// The descriptor's requirements; no loss evaluator when the next step's losses are reused.
  public var requirements: MethodRequirements {
    reuseNextLosses ? descriptor.requirements.subtracting(.lossEvaluator) : descriptor.requirements
  }
  public let maxNorm: Double
  /// The logits `ξ`.
  public private(set) var logits: [Float]
  /// The logits' optimiser.
  public private(set) var optimizer: VectorAdam
  /// The losses of the last step, waiting for their post-step counterparts.
  public private(set) var previousLosses: [Float]?

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    let lr = try o.double("lr", range: 0...1e3)
    let wd = try o.double("weight_decay", range: 0...1e3)
    reuseNextLosses = try o.bool("reuse_next_losses")
    maxNorm = try o.double("max_norm", range: 0...1e12)
    resolvedOptions = o.resolved
    logits = [Float](repeating: 0, count: ctx.tasks.count)
    optimizer = VectorAdam(count: ctx.tasks.count, learningRate: Float(lr), weightDecay: Float(wd))
  }

  func checked(_ losses: [Float], _ when: String) throws -> [Float] {
    for (t, l) in losses.enumerated() where !(Double(l) + Self.epsilon > 0) {
      throw MTLStepError("famo: \(when) loss of task '\(tasks[t].name)' is \(l); FAMO takes log(L + 1e-8) and needs non-negative losses")
    }
    return losses
  }

  /// `softmax(ξ)` in Double.
  var softmaxWeights: [Double] {
    let x = logits.map(Double.init)
    let m = x.max()!
    let e = x.map { exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
  }

  /// One Adam step on `ξ` from the losses before and after a training step.
  func updateLogits(before: [Float], after: [Float]) {
    let delta = zip(before, after).map { log(Double($0) + Self.epsilon) - log(Double($1) + Self.epsilon) }
    let z = softmaxWeights
    let mean = zip(z, delta).reduce(0) { $0 + $1.0 * $1.1 }
    let grad = (0..<z.count).map { Float(z[$0] * (delta[$0] - mean)) }
    optimizer.step(&logits, gradient: grad)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let losses = try checked(step.lossValues, "this step's")
    var report = StepReport()
    if reuseNextLosses, let previous = previousLosses {
      updateLogits(before: previous, after: losses)
    }
    let z = softmaxWeights
    let d = losses.map { Double($0) + Self.epsilon }
    let c = zip(z, d).reduce(0) { $0 + $1.0 / $1.1 }
    let coefficients = (0..<tasks.count).map { z[$0] / (c * d[$0]) }
    try step.backwardLossObjective(step.weightedLossSum(coefficients))
    if maxNorm > 0 {
      let before = try step.clipSharedGradientNorm(maxNorm)
      report.values["shared_grad_norm"] = Float(before)
    }
    previousLosses = losses
    report.set("weight", coefficients.map(Float.init), tasks: tasks)
    report.set("softmax", z.map(Float.init), tasks: tasks)
    report.set("logit", logits, tasks: tasks)
    return report
  }

  /// Re-evaluates the step's batch without gradients and updates `ξ` (unless `reuse_next_losses`).
  public func afterOptimizerStep(_ step: MTLStep) throws {
    guard !reuseNextLosses, let previous = previousLosses else { return }
    guard let evaluator = step.evaluator else {
      throw MTLStepError("famo: needs `evaluator:` in the step to recompute the batch's losses after the optimiser step (or use reuse_next_losses=true)")
    }
    let after = try Autograd.withoutGradients { try evaluator.trainingLosses().map(\.item) }
    guard after.count == tasks.count else {
      throw MTLStepError("famo: the evaluator returned \(after.count) losses for \(tasks.count) tasks")
    }
    updateLogits(before: previous, after: try checked(after, "post-step"))
    previousLosses = nil
  }

  public func stateDict() -> [String: Tensor] {
    var out = optimizer.stateDict(prefix: "adam")
    out["logits"] = Tensor(logits)
    if let p = previousLosses { out["previous_losses"] = Tensor(p) }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let l = try state.required("logits", count: tasks.count).scalars
    var adam = optimizer
    try adam.loadStateDict(state, prefix: "adam")
    let p = state["previous_losses"] == nil ? nil : try state.required("previous_losses", count: tasks.count).scalars
    logits = l
    optimizer = adam
    previousLosses = p
  }
}
