import AuxEngine
import AuxNN

/// Impartial Auxiliary Learning (IAL): Li, Feng, Wang, Yang, Zuo, "Unprejudiced Training Auxiliary
/// Tasks Makes Primary Better: A Multi-Task Learning Perspective", arXiv 2412.19547 (2024), as
/// reconstructed from the authors' code (`tzjtatata/multitask_ug`, `lightning/balancer/UG.py`);
/// the equations below are the ones the tests check.
///
/// Every task t has a learnable log-standard-deviation `s_t` (σ_t = e^{s_t}, initial −½ ln 2, so
/// σ = 0.707 and decoder weight 1).
///
/// **Decoder stage.** Each decoder, and each `s_t`, is trained by
/// `L_dec = Σ_t [ L_t / (2σ_t²) + log σ_t ]`: task t's head receives `(1/2σ_t²) ∇L_t` whatever the
/// other tasks do, so auxiliary decoders are trained fully ("impartially"), and `s_t` settles where
/// `σ_t² = L_t`.
///
/// **Encoder stage.** With `h̃_t = ∂(L_t / 2σ_t²)/∂z` the feature gradients (whole batch tensor),
/// the encoder receives, once,
///
///     ĥ = h̃_p + Σ_a w_a · (‖h̃_p‖ / ‖h̃_a‖) · (m_a ⊙ h̃_a),   w_a = clamp(1 − σ_a, 0, 1),
///     m_a = 1[h̃_p ⊙ h̃_a ≥ 0]  (element-wise sign agreement with the primary)
///
/// with σ_a detached: every auxiliary gradient is rescaled to the primary's norm, then weighted by
/// its uncertainty (an uncertain auxiliary task gets a small weight). The encoder never sees
/// `L_dec`; `s` never sees the encoder objective; decoders and `s` never see `ĥ`.
///
/// Options(defaults = the official code, except clamping, which follows the paper's
/// stated range [0, 1)):
/// - `sign_mask` (true): the element-wise sign mask `m_a` of the official code.
/// - `weighted_primary_gradient` (true): use `h̃_p` of the uncertainty-weighted primary loss
///   (official code); false uses the raw `∂L_p/∂z`.
/// - `clamp_weight` (true): clamp `1 − σ_a` to [0, 1]; false reproduces the code (weights may go
///   negative when σ_a > 1).
/// - `ema_smooth` (0 = off): μ of `r_a ← (1−μ) r_a + μ (1 − σ_a)` (`is_scale_aux_w`/`map_smooth`).
/// - `eps` (1e-12): added to ‖h̃_a‖ (the code has none).
/// - `init_log_sigma` (−½ ln 2).
/// - `faithful_multi_primary` (false): with several primary tasks, their feature gradients are
///   combined by IMTL-G; the code normalises auxiliaries to the norm of the *first* primary's scaled
///   gradient, we use the combined primary gradient's norm unless this is true.
///
/// Degenerate steps: if the primary feature gradient is zero (e.g. an all-ignore batch), the
/// auxiliary terms are skipped and the step report says so; an auxiliary task with a zero feature
/// gradient contributes nothing.
public final class ImpartialAuxiliaryLearning: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "ial", title: "Impartial Auxiliary Learning (IAL)",
    reference: "Li, Feng, Wang, Yang, Zuo. Unprejudiced Training Auxiliary Tasks Makes Primary Better: A Multi-Task Learning Perspective. arXiv 2412.19547, 2024. Equations reconstructed from tzjtatata/multitask_ug lightning/balancer/UG.py.",
    summary: "Trains every decoder with its own uncertainty weight; the encoder gets the primary feature gradient plus auxiliary feature gradients rescaled to the primary's norm, sign-masked and weighted by 1 − σ.",
    kind: .twoStage, requirements: [.losses, .featureGradients],
    options: [
      OptionSpec("sign_mask", default: "true", "zero auxiliary gradient components whose sign disagrees with the primary's (official code)", allowed: ["true", "false"]),
      OptionSpec("weighted_primary_gradient", default: "true", "use the gradient of the uncertainty-weighted primary loss (official code); false: the raw primary loss", allowed: ["true", "false"]),
      OptionSpec("clamp_weight", default: "true", "clamp the auxiliary weight 1 − σ to [0, 1] (paper's range); false: unclamped as in the code", allowed: ["true", "false"]),
      OptionSpec("ema_smooth", default: "0", "EMA factor μ for the auxiliary weight (0 = off)"),
      OptionSpec("eps", default: "1e-12", "added to auxiliary gradient norms"),
      OptionSpec("init_log_sigma", default: "-0.34657359027997264", "initial log σ of every task (−½ ln 2: decoder weight 1)"),
      OptionSpec("faithful_multi_primary", default: "false", "with several primaries, normalise by the first primary's scaled gradient as the code does", allowed: ["true", "false"]),
    ],
    auxiliaryOnly: true,
    dataParallel: true, make: { ctx in try ImpartialAuxiliaryLearning(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]

  public let signMask: Bool
  public let weightedPrimaryGradient: Bool
  public let clampWeight: Bool
  public let emaSmooth: Double
  public let eps: Double
  public let faithfulMultiPrimary: Bool

  /// The log standard deviations `s_t`, one per task (learnable).
  public let logSigma: Parameter
  /// The EMA state `r_a` per auxiliary task (nil until the first step, or when smoothing is off).
  public private(set) var smoothedWeights: [Double]?

  public var parameters: [(name: String, parameter: Parameter)] { [("log_sigma", logSigma)] }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    signMask = try o.bool("sign_mask")
    weightedPrimaryGradient = try o.bool("weighted_primary_gradient")
    clampWeight = try o.bool("clamp_weight")
    emaSmooth = try o.double("ema_smooth", range: 0...1)
    eps = try o.double("eps", range: 0...1)
    faithfulMultiPrimary = try o.bool("faithful_multi_primary")
    let s0 = try o.double("init_log_sigma", range: -20...20)
    logSigma = Parameter(Tensor(shape: [ctx.tasks.count], repeating: Float(s0)))
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let shared = try step.requireShared("IAL")
    var report = StepReport()

    // Decoder stage: L_dec = Σ_t ½ e^{−2 s_t} L_t + s_t, into the heads and s only.
    let d = ImpartialStages.decoderStage(step, logSigma: logSigma, tasks: tasks, report: &report)

    // Encoder stage: the primary feature gradient h_P and the norm auxiliaries are aligned to.
    guard let primary = try ImpartialStages.primary(
      d, step: step, tasks: tasks, shape: shared.features.shape, weighted: weightedPrimaryGradient, firstPrimaryNorm: faithfulMultiPrimary)
    else {
      report.notes.append("all primary feature gradients are zero; encoder receives no gradient this step")
      report.set("weight", [Float](repeating: 0, count: tasks.count), tasks: tasks)
      return report
    }
    var effective = ImpartialStages.primaryEffectiveWeights(primary, d, tasks: tasks, weighted: weightedPrimaryGradient)
    let auxiliaries = tasks.auxiliaryIndices

    // Auxiliary weights w_a = f(σ_a), optionally smoothed, optionally clamped.
    let raw = auxiliaries.map { 1 - d.sigma[$0] }
    var r = raw
    if emaSmooth > 0, let previous = smoothedWeights {
      r = zip(previous, raw).map { (1 - emaSmooth) * $0 + emaSmooth * $1 }
    }
    if emaSmooth > 0 {
      // Kept at Float precision so that a checkpoint (Float tensors) restores it exactly.
      r = r.map { Double(Float($0)) }
      smoothedWeights = r
    }
    let w = clampWeight ? r.map { min(max($0, 0), 1) } : r

    var encoderGradient = primary.gradient
    let targetNorm = primary.targetNorm
    let auxiliaryNorms = try step.featureNorms(auxiliaries.map { d.featureGradients[$0] })
    if !(targetNorm > 0) || !targetNorm.isFinite {
      report.notes.append("primary feature gradient is zero; auxiliary terms skipped this step")
    } else {
      primary.gradient.withUnsafeBufferPointer { hp in
        encoderGradient.withUnsafeMutableBufferPointer { out in
          for (k, a) in auxiliaries.enumerated() {
            let ha = d.featureGradients[a]
            let ratio = ImpartialStages.normRatio(target: targetNorm, auxiliaryNorm: auxiliaryNorms[k], eps: eps)
            report.values["norm_ratio/\(tasks[a].name)"] = Float(ratio)
            report.values["encoder_weight/\(tasks[a].name)"] = Float(w[k])
            effective[a] = Float(w[k] * ratio * d.decoderWeights[a])
            ImpartialStages.addAuxiliary(ha, coefficient: Float(w[k] * ratio), primary: hp, into: out, signMask: signMask)
          }
        }
      }
    }
    report.set("weight", effective, tasks: tasks)
    try step.backwardEncoder(encoderGradient)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = ["log_sigma": logSigma.value.detached()]
    if let r = smoothedWeights { out["smoothed_weights"] = Tensor(r.map(Float.init)) }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    guard let s = state["log_sigma"], s.shape == logSigma.shape else {
      throw MTLStepError("IAL state: expected 'log_sigma' of shape \(logSigma.shape), found \(state["log_sigma"].map { "\($0.shape)" } ?? "nothing")")
    }
    logSigma.assign(s)
    if let r = state["smoothed_weights"] {
      guard r.count == tasks.auxiliaryIndices.count else {
        throw MTLStepError("IAL state: 'smoothed_weights' has \(r.count) entries for \(tasks.auxiliaryIndices.count) auxiliary tasks")
      }
      smoothedWeights = r.scalars.map(Double.init)
    } else {
      smoothedWeights = nil
    }
  }

  static func stackRows(_ rows: [Tensor], dimension d: Int) -> Tensor {
    var m = Tensor.uninitialized([rows.count, d])
    m.withUnsafeMutableBufferPointer { dst in
      for (i, r) in rows.enumerated() {
        r.withUnsafeBufferPointer { src in (dst.baseAddress! + i * d).update(from: src.baseAddress!, count: d) }
      }
    }
    return m
  }
}

