import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// "Auto-λ (impartial)", an ablation of the IAL paper (§IV-G2, second subtable of Table IX):
/// Auto-Lambda's meta-learned weights for the shared encoder, IAL's impartial decoder stage for
/// the task-specific heads.
///
/// The paper gives it two sentences ("the encoder is still optimized by the meta-learning
/// objective of Auto-λ while the decoders are trained with our impartial objective"); the
/// details below are our reconstruction, chosen so that it differs from ``AutoLambda`` exactly
/// where the sentence says and from IAL exactly in the encoder stage:
///
/// - **Decoder stage** (IAL's): the heads and the log standard deviations `s_t` are trained on
///   `L_dec = Σ_t [½ e^{−2 s_t} L_t + s_t]`; the pass stops at the shared features.
/// - **Encoder stage** (Auto-Lambda's): the encoder gets `Σ_t λ_t ∂L_t/∂z`, the raw task losses
///   weighted by the learnable `λ` (initial 0.1), with no norm alignment and no sign mask.
/// - **Meta-update of λ**, before the step: the look-ahead mirrors the real step. The virtual
///   step moves the shared parameters by the optimiser's update for `∇_θs Σ_t λ_t L_t` and the
///   heads by its update for `∇_θh Σ_t L_t/(2σ_t²)` (σ detached; `s` does not move). The
///   validation loss `L_val = Σ_{t∈P} L_t^val(θ′)` then depends on `λ` only through the shared
///   parameters, so its derivative is `∂L_val/∂λ_t = ∇_θs L_t · u` with `u = D ⊙ ∇_θs′ L_val`
///   (`D` the update's derivative in the gradient, shared parameters only), taken as Auto-Lambda
///   takes it: by finite differences of the training losses at `θs ± 0.01·u/‖u‖` (heads at their
///   current values). `λ` takes one step of its own Adam optimiser (`meta_lr`).
///
/// `weight/<task>` reports `λ_t` (the weight on the shared parameters), `decoder_weight/<task>`
/// and `sigma/<task>` the decoder stage, `meta_grad/<task>` the meta-gradient.
public final class AutoLambdaImpartial: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "auto-lambda-impartial", title: "IAL ablation: Auto-Lambda encoder with IAL's decoder stage (Auto-λ (impartial))",
    reference: "Li, Feng, Wang, Yang, Zuo. Unprejudiced Training Auxiliary Tasks Makes Primary Better: A Multi-Task Learning Perspective. arXiv 2412.19547, 2024, §IV-G2, Table IX. Ablation of IAL; the paper describes it in two sentences: the look-ahead that mirrors the two stages is our reconstruction (see the documentation of AutoLambdaImpartial). Auto-Lambda: Liu, James, Davison, Johns, TMLR 2022.",
    summary: "Auto-Lambda's meta-learned task weights on the shared encoder, IAL's uncertainty-weighted decoder stage on the heads.",
    kind: .twoStage, requirements: [.losses, .featureGradients, .lossEvaluator, .validationBatch, .optimizer],
    options: [
      OptionSpec("mode", default: "auxiliary", "meta objective: validation loss of the primary tasks (auxiliary) or of all tasks (multi-task)", allowed: ["auxiliary", "multi-task"]),
      OptionSpec("init", default: "0.1", "initial weight λ of every task"),
      OptionSpec("meta_lr", default: "1e-4", "Adam learning rate of λ"),
      OptionSpec("init_log_sigma", default: "-0.34657359027997264", "initial log σ of every task (−½ ln 2: decoder weight 1)"),
    ],
    primaryAware: true, isApproximation: true,
    make: { ctx in try AutoLambdaImpartial(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The tasks whose validation losses form the meta objective.
  public let metaTasks: [Int]
  /// The encoder's task weights `λ`.
  public private(set) var weights: [Float]
  /// `λ`'s optimiser.
  public private(set) var metaOptimizer: VectorAdam
  /// The log standard deviations `s_t`, one per task (learnable, decoder stage).
  public let logSigma: Parameter
  public var parameters: [(name: String, parameter: Parameter)] { [("log_sigma", logSigma)] }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    let mode = try o.string("mode")
    let initial = try o.double("init", range: -1e6...1e6)
    let lr = try o.double("meta_lr", range: 0...1e3)
    let s0 = try o.double("init_log_sigma", range: -20...20)
    resolvedOptions = o.resolved
    metaTasks = mode == "multi-task" ? Array(ctx.tasks.indices) : ctx.tasks.primaryIndices
    weights = [Float](repeating: Float(initial), count: ctx.tasks.count)
    metaOptimizer = VectorAdam(count: ctx.tasks.count, learningRate: Float(lr))
    logSigma = Parameter(Tensor(shape: [ctx.tasks.count], repeating: Float(s0)))
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let name = descriptor.name
    _ = try step.requireShared(name)
    guard let optimizer = step.optimizer else {
      throw MTLStepError("\(name): needs the network's optimiser (`optimizer:` in the step) for the virtual step")
    }
    guard let evaluator = step.evaluator, let validation = evaluator.validationLosses else {
      throw MTLStepError("\(name): needs `evaluator:` with `validationLosses` (a second batch) and `trainingLosses` in the step")
    }
    let net = LookAheadParameters(optimizer)
    guard !net.isEmpty else { throw MTLStepError("\(name): the optimiser has no trainable parameters") }
    let sharedIDs = Set(step.sharedParameters.map(ObjectIdentifier.init))
    let isShared = net.parameters.map { sharedIDs.contains(ObjectIdentifier($0)) }
    guard isShared.contains(true) else {
      throw MTLStepError("\(name): the optimiser holds none of the shared parameters; the encoder weights λ would have nothing to act on")
    }
    var report = StepReport()

    // 1. Virtual step mirroring the two stages: shared parameters along Σ λ_t L_t, heads along
    //    Σ_t L_t / (2σ_t²) (σ detached), from the step's own graph.
    let lambda = weights.map(Double.init)
    let decoderWeights = logSigma.value.scalars.map { 0.5 * exp(-2 * Double($0)) }
    let encoderGrads = net.gradients(of: step.weightedLossSum(lambda), through: step, retainGraph: true)
    let decoderGrads = net.gradients(of: step.weightedLossSum(decoderWeights), retainGraph: true)
    let grads = net.parameters.indices.map { isShared[$0] ? encoderGrads[$0] : decoderGrads[$0] }
    let updates = try net.virtualStep(optimizer, gradients: grads, method: name)
    let theta = net.snapshot()
    for (i, p) in net.parameters.enumerated() {
      if let u = updates[i] { p.assign(u.value) }
    }

    // 2. v = ∇_{θs′} Σ_{t∈P} L_t^val(θ′) on the shared parameters.
    let valLosses: [Tensor]
    do {
      valLosses = try validation()
    } catch {
      net.restore(theta)
      throw error
    }
    guard valLosses.count == tasks.count else {
      net.restore(theta)
      throw MTLStepError("\(name): the evaluator returned \(valLosses.count) validation losses for \(tasks.count) tasks")
    }
    var valObjective = valLosses[metaTasks[0]].reshaped([])
    for t in metaTasks.dropFirst() { valObjective = valObjective + valLosses[t].reshaped([]) }
    let v = net.gradients(of: valObjective, retainGraph: false)
    net.restore(theta)
    if valObjective.requiresGrad && net.parameters.indices.allSatisfy({ !isShared[$0] || v[$0] == nil }) {
      throw MTLStepError("\(name): the validation losses do not reach any shared parameter; the evaluator must run the model with an ordinary forward pass (no SharedFeatures aliases)")
    }
    report.values["validation_loss"] = valObjective.item

    // 3. Finite-difference meta-gradient along u = D ⊙ v on the shared parameters.
    let u: [Tensor?] = net.parameters.indices.map { i in
      guard isShared[i], let d = updates[i]?.gradientDerivative, let vi = v[i] else { return nil }
      return d * vi
    }
    let uNorm = LookAheadParameters.norm(u)
    var metaGrad = [Float](repeating: 0, count: tasks.count)
    if uNorm > 0 && uNorm.isFinite {
      let length = 0.01
      let scales = [Float](repeating: Float(length / uNorm), count: net.parameters.count)
      let plus: [Float]
      let minus: [Float]
      do {
        net.set(theta, plus: u, scales: scales)
        plus = try Autograd.withoutGradients { try evaluator.trainingLosses().map(\.item) }
        net.set(theta, plus: u, scales: scales.map { -$0 })
        minus = try Autograd.withoutGradients { try evaluator.trainingLosses().map(\.item) }
        net.restore(theta)
      } catch {
        net.restore(theta)
        throw error
      }
      guard plus.count == tasks.count, minus.count == tasks.count else {
        throw MTLStepError("\(name): the evaluator returned \(plus.count) training losses for \(tasks.count) tasks")
      }
      for t in 0..<tasks.count {
        metaGrad[t] = Float(uNorm * (Double(plus[t]) - Double(minus[t])) / (2 * length))
      }
    } else {
      report.notes.append("validation gradient on the shared parameters is zero (or the learning rate is 0); meta-gradient set to zero")
    }
    metaOptimizer.step(&weights, gradient: metaGrad)

    // 4. The real step: IAL's decoder stage, then Σ_t λ_t ∂L_t/∂z through the encoder.
    let d = ImpartialStages.decoderStage(step, logSigma: logSigma, tasks: tasks, report: &report)
    var encoderGradient: Tensor? = nil
    for t in tasks.indices where weights[t] != 0 && d.decoderWeights[t] > 0 {
      let term = d.featureGradients[t] * Float(Double(weights[t]) / d.decoderWeights[t])
      encoderGradient = encoderGradient.map { $0 + term } ?? term
    }
    if let encoderGradient { try step.backwardEncoder(encoderGradient) }
    report.set("weight", weights, tasks: tasks)
    report.set("meta_grad", metaGrad, tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out = metaOptimizer.stateDict(prefix: "meta_adam")
    out["weights"] = Tensor(weights)
    out["log_sigma"] = logSigma.value.detached()
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let w = try state.required("weights", count: tasks.count).scalars
    let s = try state.required("log_sigma", count: tasks.count)
    var adam = metaOptimizer
    try adam.loadStateDict(state, prefix: "meta_adam")
    weights = w
    metaOptimizer = adam
    logSigma.assign(s.reshaped([tasks.count]))
  }
}
