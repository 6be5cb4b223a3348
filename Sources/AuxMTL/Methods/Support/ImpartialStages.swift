import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The two stages of IAL as parts, shared by ``ImpartialAuxiliaryLearning`` and the ablation
/// variants of the IAL paper (``IALAblation``, ``AutoLambdaImpartial``), so that a variant
/// differs from IAL exactly where its name says.
enum ImpartialStages {
  /// What the decoder stage leaves for the encoder stage.
  struct Decoders {
    /// `h̃_t = ∂(L_t / 2σ_t²)/∂z`, one per task.
    let featureGradients: [Tensor]
    /// `1 / (2σ_t²)`.
    let decoderWeights: [Double]
    /// `σ_t = e^{s_t}` (detached).
    let sigma: [Double]
  }

  /// The decoder stage: back-propagates `L_dec = Σ_t ½ e^{−2 s_t} L_t + s_t` into the heads and
  /// `s` only (the pass stops at the feature aliases), reports `decoder_weight/<task>` and
  /// `sigma/<task>`, and returns the feature gradients of the uncertainty-weighted losses.
  static func decoderStage(_ step: MTLStep, logSigma: Parameter, tasks: [TaskInfo], report: inout StepReport) -> Decoders {
    var objective: Tensor? = nil
    for t in tasks.indices {
      let s = logSigma.value.gatherRows([t]).reshaped([])
      let weighted = (s * -2).exp() * 0.5 * step.losses[t].reshaped([])
      let term = weighted + s
      objective = objective.map { $0 + term } ?? term
    }
    let h = step.backwardDecoders(objective!)
    let s = logSigma.value.scalars.map(Double.init)
    let decoderWeights = s.map { 0.5 * exp(-2 * $0) }
    let sigma = s.map { exp($0) }
    report.set("decoder_weight", decoderWeights.map(Float.init), tasks: tasks)
    report.set("sigma", sigma.map(Float.init), tasks: tasks)
    return Decoders(featureGradients: h, decoderWeights: decoderWeights, sigma: sigma)
  }

  /// The primary side of the encoder stage.
  struct Primary {
    /// `h̃_P`: the primary feature gradient, or the IMTL-G combination of several.
    var gradient: Tensor
    /// The norm auxiliary gradients are aligned to.
    var targetNorm: Double
    /// The weight of each primary in `gradient` (1 for a single primary).
    var weights: [Double]
  }

  /// `h̃_P` from the decoder stage's feature gradients: the (uncertainty-weighted, or raw when
  /// `weighted` is false) primary gradient, several primaries combined by the IMTL-G closed form.
  /// The target norm is `‖h̃_P‖`, or with `firstPrimaryNorm` the norm of the first primary's
  /// scaled gradient (the authors' code). Nil when every primary gradient is zero (several
  /// primaries: IMTL-G has no solution).
  /// Norms and the Gramian are the global batch's (``MTLStep/featureNorms(_:)``,
  /// ``MTLStep/gramian(_:)``).
  static func primary(
    _ d: Decoders, step: MTLStep, tasks: [TaskInfo], shape: [Int], weighted: Bool, firstPrimaryNorm: Bool = false
  ) throws -> Primary? {
    let primaries = tasks.primaryIndices
    let grads = primaries.map { p -> Tensor in
      weighted ? d.featureGradients[p] : d.featureGradients[p] * Float(1 / d.decoderWeights[p])
    }
    if grads.count == 1 {
      return Primary(gradient: grads[0], targetNorm: try step.featureNorms([grads[0]])[0], weights: [1])
    }
    let n = grads[0].count
    let g = TaskGradients(level: .representation, matrix: ImpartialAuxiliaryLearning.stackRows(grads, dimension: n))
    guard let alpha = IMTLGSolver.weights(gramian: try step.gramian(g)) else { return nil }
    let combined = g.combine(alpha).reshaped(shape)
    let norm = firstPrimaryNorm ? abs(alpha[0]) * (try step.featureNorms([grads[0]])[0]) : try step.featureNorms([combined])[0]
    return Primary(gradient: combined, targetNorm: norm, weights: alpha)
  }

  /// The weight of each primary task on the shared parameters (`weight/<task>`), given the
  /// primary combination.
  static func primaryEffectiveWeights(_ p: Primary, _ d: Decoders, tasks: [TaskInfo], weighted: Bool) -> [Float] {
    var effective = [Float](repeating: 0, count: tasks.count)
    for (k, t) in tasks.primaryIndices.enumerated() {
      effective[t] = Float(p.weights[k] * (weighted ? d.decoderWeights[t] : 1))
    }
    return effective
  }

  /// `‖h̃_P‖ / (‖h̃_a‖ + eps)`, or 0 for a zero auxiliary gradient.
  static func normRatio(target: Double, auxiliaryNorm: Double, eps: Double) -> Double {
    auxiliaryNorm > 0 ? target / (auxiliaryNorm + eps) : 0
  }

  /// `out += c · (m ⊙ h_a)` with the sign mask `m = 1[h_P ⊙ h_a ≥ 0]` when `signMask` is true
  /// (branch-free so that it vectorises: a masked element adds `0 · h_a[i]`).
  static func addAuxiliary(
    _ ha: Tensor, coefficient c: Float, primary hp: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>,
    signMask: Bool
  ) {
    guard c != 0 else { return }
    let n = out.count
    ha.withUnsafeBufferPointer { hb in
      if signMask {
        for i in 0..<n { out[i] += (hp[i] * hb[i] >= 0 ? c : 0) * hb[i] }
      } else {
        for i in 0..<n { out[i] += c * hb[i] }
      }
    }
  }
}
