import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The encoder-stage ablations of the IAL paper (§IV-G, Tables VIII and XI): IAL with one part of
/// its encoder stage replaced, everything else unchanged.
///
/// Every variant keeps IAL's decoder stage (each head and each `s_t` trained by
/// `L_dec = Σ_t [L_t/(2σ_t²) + log σ_t]`), its primary gradient `h̃_p` (uncertainty-weighted by
/// default, several primaries combined by IMTL-G), its element-wise sign mask `m_a` and its single
/// encoder pass. Only the auxiliary term of the encoder gradient changes:
///
///     with norm alignment:     ĥ = h̃_p + Σ_a w_a · (‖h̃_p‖/‖h̃_a‖) · (m_a ⊙ h̃_a)
///     without (`ial-uncertainty`): ĥ = h̃_p + Σ_a w_a · (m_a ⊙ h̃_a)
///
/// | name | paper | norm alignment | encoder weight `w_a` |
/// | --- | --- | --- | --- |
/// | `ial-grad-fixed` | Grad.(Fix), Table VIII; "Fixed", Table XI | yes | the constant `aux_weight` |
/// | (a `compare --sweep` over `aux_weight`) | Grad.(GS), Table VIII | yes | the best constant on validation |
/// | `ial-uncertainty` | Uncer., Table VIII | **no** | `1 − σ_a` (clamped) |
/// | `ial-rts` | RTS, Table XI | yes | DWA's relative training speed, `λ_a / λ̄_P` |
/// | `ial-egn` | EGN, Table XI | yes | GradNorm's expected gradient norm, `(L̃_a / L̃̄_P)^α` |
/// | `ial-cos` | Cos., Table XI | yes | `max(0, cos(h̃_p, h̃_a))` |
///
/// The paper gives these variants one sentence each and loses their numbers (the fixed weight,
/// the grid's bounds); what follows is our reconstruction, chosen so that each weight plays the
/// role of IAL's `1 − σ_a`: a factor in [0, 1] (clamped by default) on an auxiliary gradient
/// already rescaled to the primary's norm, the primary's own weight being 1.
///
/// - **RTS**: DWA's weights `λ_t = T·exp(r_t/τ)/Σ_j exp(r_j/τ)` with `r_t = L̄_t(k−1)/L̄_t(k−2)` the
///   ratio of the task's last two epoch-averaged raw losses (1 in the first two epochs); the
///   auxiliary weight is `λ_a` relative to the primary's, `w_a = λ_a / mean_{p∈P} λ_p
///   = exp((r_a − r̄_P)/τ)` for one primary. A task that trains more slowly than the primary
///   weighs more.
/// - **EGN**: GradNorm's target norm of task t is `Ḡ · r_t^α` with `r_t = L̃_t / mean(L̃)` and
///   `L̃_t = L_t / L_t(0)` (raw losses, `L(0)` the first step's). Relative to the primary's target,
///   `w_a = (L̃_a / mean_{p∈P} L̃_p)^α`: the auxiliary gradient gets the norm GradNorm would give
///   it, measured in units of the primary's. Needs no learnable weights (the alignment already
///   fixes the norms).
/// - **Cos.**: the cosine similarity of the (unmasked) auxiliary feature gradient with the
///   primary's, negative values cut to 0 (GCS's weighted form on the shared features).
/// - **Uncer.** without alignment: the auxiliary gradient is that of the uncertainty-weighted loss
///   `L_a/(2σ_a²)`, scaled by `1 − σ_a` and masked; its norm is whatever the loss gives it.
///
/// `weight/<task>` is each task's effective weight on the shared parameters; `encoder_weight/<a>`
/// is `w_a`, `norm_ratio/<a>` the alignment factor; `loss_ratio/<task>` (RTS), `training_rate/<task>`
/// (EGN, `L̃_t`) and `cosine/<a>` (Cos.) what `w_a` came from.
public final class IALAblation: WeightingMethod {
  /// Where the encoder stage's auxiliary weight comes from.
  public enum EncoderWeight: String, Sendable, CaseIterable {
    /// A constant (`aux_weight`).
    case fixed
    /// `1 − σ_a`, without norm alignment.
    case uncertainty
    /// DWA's relative training speed.
    case relativeTrainingSpeed = "rts"
    /// GradNorm's expected gradient norm.
    case expectedGradientNorm = "egn"
    /// Cosine similarity with the primary's feature gradient.
    case cosine
  }

  private static let common: [OptionSpec] = [
    OptionSpec("sign_mask", default: "true", "zero auxiliary gradient components whose sign disagrees with the primary's (as IAL)", allowed: ["true", "false"]),
    OptionSpec("weighted_primary_gradient", default: "true", "use the gradient of the uncertainty-weighted primary loss (as IAL); false: the raw primary loss", allowed: ["true", "false"]),
    OptionSpec("eps", default: "1e-12", "added to auxiliary gradient norms"),
    OptionSpec("init_log_sigma", default: "-0.34657359027997264", "initial log σ of every task (−½ ln 2: decoder weight 1)"),
  ]
  private static let clamp = OptionSpec("clamp_weight", default: "true", "clamp the encoder weight to [0, 1]", allowed: ["true", "false"])
  private static let paper = "Li, Feng, Wang, Yang, Zuo. Unprejudiced Training Auxiliary Tasks Makes Primary Better: A Multi-Task Learning Perspective. arXiv 2412.19547, 2024, §IV-G."

  private static func descriptor(
    _ rule: EncoderWeight, name: String, title: String, table: String, summary: String, options: [OptionSpec]
  ) -> MethodDescriptor {
    MethodDescriptor(
      name: name, title: title,
      reference: "\(paper) \(table). Ablation of IAL; the paper describes it in one sentence and its settings are lost: the weight's definition is our reconstruction (see the documentation of IALAblation).",
      summary: summary, kind: .twoStage, requirements: [.losses, .featureGradients],
      options: common + options, auxiliaryOnly: true, isApproximation: true,
      make: { ctx in try IALAblation(ctx, rule: rule) })
  }

  /// Grad.(Fix): norm alignment with a constant auxiliary weight.
  public static let gradFixedDescriptor = descriptor(
    .fixed, name: "ial-grad-fixed", title: "IAL ablation: norm alignment, fixed weight (Grad.(Fix))", table: "Table VIII (Grad.(Fix)), Table XI (Fixed)",
    summary: "IAL with the encoder weight 1 − σ replaced by a constant: auxiliary feature gradients rescaled to the primary's norm, sign-masked, times aux_weight. A compare sweep over aux_weight is the paper's Grad.(GS).",
    options: [OptionSpec("aux_weight", default: "0.5", "the constant encoder weight of every auxiliary task (the paper's value is lost)")])
  /// Uncer.: the uncertainty weight without norm alignment.
  public static let uncertaintyDescriptor = descriptor(
    .uncertainty, name: "ial-uncertainty", title: "IAL ablation: uncertainty weight without norm alignment (Uncer.)", table: "Table VIII (Uncer.)",
    summary: "IAL without norm alignment: the encoder gets the primary's gradient plus each auxiliary's uncertainty-weighted gradient, sign-masked, times 1 − σ.",
    options: [clamp])
  /// RTS: DWA's relative training speed as the encoder weight.
  public static let rtsDescriptor = descriptor(
    .relativeTrainingSpeed, name: "ial-rts", title: "IAL ablation: relative training speed as encoder weight (RTS)", table: "Table XI (RTS)",
    summary: "IAL with the encoder weight 1 − σ replaced by DWA's weight of the auxiliary relative to the primary's, from the ratio of the last two epoch-averaged losses.",
    options: [OptionSpec("temperature", default: "2", "DWA's softmax temperature τ"), clamp])
  /// EGN: GradNorm's expected gradient norm as the encoder weight.
  public static let egnDescriptor = descriptor(
    .expectedGradientNorm, name: "ial-egn", title: "IAL ablation: expected gradient norm as encoder weight (EGN)", table: "Table XI (EGN)",
    summary: "IAL with the encoder weight 1 − σ replaced by GradNorm's expected gradient norm relative to the primary's, (L̃_a / L̃_p)^α with L̃ = L / L(0).",
    options: [OptionSpec("alpha", default: "1.5", "GradNorm's α"), clamp])
  /// Cos.: cosine similarity with the primary as the encoder weight.
  public static let cosineDescriptor = descriptor(
    .cosine, name: "ial-cos", title: "IAL ablation: cosine similarity as encoder weight (Cos.)", table: "Table XI (Cos.)",
    summary: "IAL with the encoder weight 1 − σ replaced by max(0, cos) of the auxiliary feature gradient with the primary's.",
    options: [])

  /// Every variant's descriptor, in the order of the paper's tables.
  public static let descriptors = [gradFixedDescriptor, uncertaintyDescriptor, rtsDescriptor, egnDescriptor, cosineDescriptor]

  public let descriptor: MethodDescriptor
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let rule: EncoderWeight
  /// Whether auxiliary gradients are rescaled to the primary's norm (all but `ial-uncertainty`).
  public var normAlignment: Bool { rule != .uncertainty }

  public let signMask: Bool
  public let weightedPrimaryGradient: Bool
  public let eps: Double
  public let clampWeight: Bool
  /// `aux_weight` (fixed), `temperature` (RTS) or `alpha` (EGN).
  public let constant: Double

  /// The log standard deviations `s_t`, one per task (learnable, decoder stage).
  public let logSigma: Parameter
  public var parameters: [(name: String, parameter: Parameter)] { [("log_sigma", logSigma)] }

  /// RTS: the epoch-averaged losses.
  private var epochLosses: EpochLossAverages
  /// EGN: `L(0)`, the first step's losses (nil before it).
  public private(set) var initialLosses: [Double]?

  init(_ ctx: MethodContext, rule: EncoderWeight) throws {
    var o = ctx.options
    descriptor = ctx.descriptor
    tasks = ctx.tasks
    self.rule = rule
    signMask = try o.bool("sign_mask")
    weightedPrimaryGradient = try o.bool("weighted_primary_gradient")
    eps = try o.double("eps", range: 0...1)
    let s0 = try o.double("init_log_sigma", range: -20...20)
    switch rule {
    case .fixed:
      constant = try o.double("aux_weight", range: 0...1e3)
      clampWeight = false
    case .uncertainty, .cosine:
      constant = 0
      clampWeight = rule == .cosine ? true : try o.bool("clamp_weight")
    case .relativeTrainingSpeed:
      constant = try o.double("temperature", range: 1e-6...1e6)
      clampWeight = try o.bool("clamp_weight")
    case .expectedGradientNorm:
      constant = try o.double("alpha", range: 0...100)
      clampWeight = try o.bool("clamp_weight")
    }
    resolvedOptions = o.resolved
    logSigma = Parameter(Tensor(shape: [ctx.tasks.count], repeating: Float(s0)))
    epochLosses = EpochLossAverages(taskCount: ctx.tasks.count)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let shared = try step.requireShared(descriptor.name)
    var report = StepReport()
    let d = ImpartialStages.decoderStage(step, logSigma: logSigma, tasks: tasks, report: &report)
    let losses = step.lossValues
    if rule == .relativeTrainingSpeed { try epochLosses.begin(epoch: step.epoch, method: descriptor.name) }
    if rule == .expectedGradientNorm && initialLosses == nil { initialLosses = losses.map(Double.init) }
    defer { if rule == .relativeTrainingSpeed { epochLosses.add(losses) } }

    guard let primary = try ImpartialStages.primary(d, step: step, tasks: tasks, shape: shared.features.shape, weighted: weightedPrimaryGradient) else {
      report.notes.append("all primary feature gradients are zero; encoder receives no gradient this step")
      report.set("weight", [Float](repeating: 0, count: tasks.count), tasks: tasks)
      return report
    }
    var effective = ImpartialStages.primaryEffectiveWeights(primary, d, tasks: tasks, weighted: weightedPrimaryGradient)
    let auxiliaries = tasks.auxiliaryIndices
    let raw = encoderWeights(d, primary: primary, losses: losses, report: &report)
    let w = clampWeight ? raw.map { min(max($0, 0), 1) } : raw

    var encoderGradient = primary.gradient
    let targetNorm = primary.targetNorm
    if normAlignment && (!(targetNorm > 0) || !targetNorm.isFinite) {
      report.notes.append("primary feature gradient is zero; auxiliary terms skipped this step")
    } else {
      primary.gradient.withUnsafeBufferPointer { hp in
        encoderGradient.withUnsafeMutableBufferPointer { out in
          for (k, a) in auxiliaries.enumerated() {
            let ha = d.featureGradients[a]
            var c = w[k]
            if normAlignment {
              let ratio = ImpartialStages.normRatio(target: targetNorm, auxiliaryNorm: FeatureMath.norm(ha), eps: eps)
              report.values["norm_ratio/\(tasks[a].name)"] = Float(ratio)
              c *= ratio
            }
            report.values["encoder_weight/\(tasks[a].name)"] = Float(w[k])
            effective[a] = Float(c * d.decoderWeights[a])
            ImpartialStages.addAuxiliary(ha, coefficient: Float(c), primary: hp, into: out, signMask: signMask)
          }
        }
      }
    }
    report.set("weight", effective, tasks: tasks)
    try step.backwardEncoder(encoderGradient)
    return report
  }

  /// The unclamped encoder weight of each auxiliary task, in `tasks.auxiliaryIndices` order.
  func encoderWeights(_ d: ImpartialStages.Decoders, primary: ImpartialStages.Primary, losses: [Float], report: inout StepReport) -> [Double] {
    let auxiliaries = tasks.auxiliaryIndices
    let primaries = tasks.primaryIndices
    switch rule {
    case .fixed:
      return auxiliaries.map { _ in constant }
    case .uncertainty:
      return auxiliaries.map { 1 - d.sigma[$0] }
    case .relativeTrainingSpeed:
      guard let r = epochLosses.ratios(taskNames: tasks.names, notes: &report.notes) else {
        return auxiliaries.map { _ in 1 }
      }
      report.set("loss_ratio", r.map(Float.init), tasks: tasks)
      let m = r.max()!
      let lambda = r.map { Double(tasks.count) * exp(($0 - m) / constant) }
      let sum = lambda.reduce(0, +)
      let normalised = lambda.map { $0 / sum }
      let primaryMean = primaries.reduce(0.0) { $0 + normalised[$1] } / Double(primaries.count)
      return auxiliaries.map { normalised[$0] / primaryMean }
    case .expectedGradientNorm:
      let l0 = initialLosses!
      var rate = [Double](repeating: 1, count: tasks.count)
      for t in tasks.indices {
        if l0[t] > 0 && l0[t].isFinite {
          rate[t] = Double(losses[t]) / l0[t]
        } else {
          report.notes.append("task '\(tasks[t].name)': initial loss \(l0[t]) cannot be divided by; training rate set to 1")
        }
      }
      report.set("training_rate", rate.map(Float.init), tasks: tasks)
      let primaryMean = primaries.reduce(0.0) { $0 + rate[$1] } / Double(primaries.count)
      guard primaryMean > 0 && primaryMean.isFinite else {
        report.notes.append("the primary's training rate is \(primaryMean); auxiliary encoder weights set to 0")
        return auxiliaries.map { _ in 0 }
      }
      return auxiliaries.map { a in
        let x = rate[a] / primaryMean
        return x.isFinite ? pow(max(x, 0), constant) : 0
      }
    case .cosine:
      let np = primary.targetNorm
      return auxiliaries.map { a in
        let ha = d.featureGradients[a]
        let na = FeatureMath.norm(ha)
        let c = np > 0 && na > 0 ? FeatureMath.dot(primary.gradient, ha) / (np * na) : 0
        report.values["cosine/\(tasks[a].name)"] = Float(c)
        return max(c, 0)
      }
    }
  }

  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = ["log_sigma": logSigma.value.detached()]
    switch rule {
    case .relativeTrainingSpeed:
      out.merge(epochLosses.stateDict(prefix: "epoch_losses")) { a, _ in a }
    case .expectedGradientNorm:
      if let l0 = initialLosses { out["initial_losses"] = ExactStateCoding.encode(doubles: l0) }
    default:
      break
    }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let s = try state.required("log_sigma", count: tasks.count)
    var averages = epochLosses
    var l0: [Double]? = nil
    switch rule {
    case .relativeTrainingSpeed:
      try averages.loadStateDict(state, prefix: "epoch_losses")
    case .expectedGradientNorm:
      if let t = state["initial_losses"] {
        l0 = try ExactStateCoding.decodeDoubles(t, key: "initial_losses", expectedCount: tasks.count)
      }
    default:
      break
    }
    logSigma.assign(s.reshaped([tasks.count]))
    epochLosses = averages
    initialLosses = l0
  }
}
