import AuxEngine
import AuxMTL
import AuxNN
import Foundation
import Testing

/// The IAL paper's encoder-stage ablations (§IV-G, Tables VIII and XI): each variant's encoder
/// gradient on the toy problem against ĥ computed here in Double from plain autograd feature
/// gradients and the variant's formula (IALAblation's documentation).
@Suite("IAL ablations")
struct IALAblationTests {
  static let tasks = IALTests.tasks

  /// ĥ for one primary (index 0): h̃_p + Σ_a c_a · (m_a ⊙ h̃_a) with c_a = w_a · ‖h̃_p‖/‖h̃_a‖ when
  /// aligned, w_a otherwise.
  static func expected(raw: [Tensor], logSigma: [Double], weights: [Double], align: Bool = true, signMask: Bool = true) -> [Double] {
    let dw = logSigma.map { 0.5 * exp(-2 * $0) }
    let ht = raw.enumerated().map { t, r in r.scalars.map { Double($0) * dw[t] } }
    let hp = ht[0]
    let normP = hp.reduce(0) { $0 + $1 * $1 }.squareRoot()
    var out = hp
    for a in 1..<raw.count {
      let normA = ht[a].reduce(0) { $0 + $1 * $1 }.squareRoot()
      let c = weights[a - 1] * (align ? normP / (normA + 1e-12) : 1)
      for i in out.indices where !signMask || hp[i] * ht[a][i] >= 0 { out[i] += c * ht[a][i] }
    }
    return out
  }

  static func make(_ name: String, _ options: [String: String] = [:], logSigma: [Float]) throws -> IALAblation {
    let m = try MethodRegistry.make(name, tasks: tasks, options: options) as! IALAblation
    m.logSigma.assign(Tensor(logSigma))
    return m
  }

  static let s: [Float] = [-0.2, -0.9, 0.1]  // σ_normal > 1

  @Test("Grad.(Fix): aligned auxiliary gradients times the constant weight", arguments: ["0.5", "0.2", "1.5"])
  func gradFixed(weight: String) throws {
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 11)
    let m = try Self.make("ial-grad-fixed", ["aux_weight": weight], logSigma: Self.s)
    let report = try m.backward(toy.makeStep())
    let c = Double(weight)!
    let want = Self.expected(raw: toy.rawFeatureGradients(), logSigma: Self.s.map(Double.init), weights: [c, c])
    #expect(IALTests.close(want, toy.encoder.grad!.scalars))
    #expect(report.values["encoder_weight/depth"] == Float(c))
    #expect(report.values["norm_ratio/normal"] != nil)
  }

  @Test("Uncer.: uncertainty-weighted auxiliary gradients times 1 − σ, no norm alignment", arguments: [true, false])
  func uncertaintyOnly(clamp: Bool) throws {
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 12)
    let m = try Self.make("ial-uncertainty", ["clamp_weight": clamp ? "true" : "false"], logSigma: Self.s)
    let report = try m.backward(toy.makeStep())
    let w = [1 - exp(-0.9), 1 - exp(0.1)].map { clamp ? min(max($0, 0), 1) : $0 }
    let want = Self.expected(raw: toy.rawFeatureGradients(), logSigma: Self.s.map(Double.init), weights: w, align: false)
    #expect(IALTests.close(want, toy.encoder.grad!.scalars))
    #expect(report.values["norm_ratio/depth"] == nil)
    // Differs from IAL (which aligns norms) on the same step.
    let toy2 = MTLToyProblem(tasks: Self.tasks, seed: 12)
    let ial = try IALTests.make(logSigma: Self.s)
    _ = try ial.backward(toy2.makeStep())
    #expect(maxAbsDiff(toy.encoder.grad!, toy2.encoder.grad!) > 1e-4)
  }

  @Test("RTS: w_a = exp((r_a − r_p)/τ) from the ratio of the last two epoch-averaged losses; 1 before", arguments: [true, false])
  func relativeTrainingSpeed(clamp: Bool) throws {
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 13)
    let m = try Self.make("ial-rts", ["temperature": "2", "clamp_weight": clamp ? "true" : "false"], logSigma: Self.s)
    // Epoch 0: losses × [1, 1, 1]; epoch 1: × [1, 0.4, 1.6] (two steps each).
    for (epoch, scales) in [(0, [Float(1), 1, 1]), (1, [1, 0.4, 1.6])] {
      toy.lossScales = scales
      for _ in 0..<2 {
        toy.zeroGrad()
        let r = try m.backward(toy.makeStep(epoch: epoch))
        if epoch < 2 { #expect(r.values["encoder_weight/depth"] == 1) }
      }
    }
    toy.lossScales = [1, 1, 1]
    toy.zeroGrad()
    let report = try m.backward(toy.makeStep(epoch: 2))
    let ratios = [1.0, 0.4, 1.6]  // r_t = L̄(1)/L̄(0)
    let w = [exp((ratios[1] - 1) / 2), exp((ratios[2] - 1) / 2)].map { clamp ? min(max($0, 0), 1) : $0 }
    #expect(abs(Double(report.values["encoder_weight/normal"]!) - w[1]) < 1e-5)
    let want = Self.expected(raw: toy.rawFeatureGradients(), logSigma: Self.s.map(Double.init), weights: w)
    #expect(IALTests.close(want, toy.encoder.grad!.scalars))
  }

  @Test("EGN: w_a = (L̃_a / L̃_p)^α with L̃ = L / L(0) of the first step", arguments: [true, false])
  func expectedGradientNorm(clamp: Bool) throws {
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 14)
    let m = try Self.make("ial-egn", ["alpha": "1.5", "clamp_weight": clamp ? "true" : "false"], logSigma: Self.s)
    _ = try m.backward(toy.makeStep())  // L(0)
    toy.zeroGrad()
    toy.lossScales = [0.5, 0.8, 0.2]
    let report = try m.backward(toy.makeStep())
    let w = [pow(0.8 / 0.5, 1.5), pow(0.2 / 0.5, 1.5)].map { clamp ? min(max($0, 0), 1) : $0 }
    #expect(abs(Double(report.values["encoder_weight/depth"]!) - w[0]) < 1e-5)
    #expect(abs(Double(report.values["training_rate/normal"]!) - 0.2) < 1e-6)
    let want = Self.expected(raw: toy.rawFeatureGradients(), logSigma: Self.s.map(Double.init), weights: w)
    #expect(IALTests.close(want, toy.encoder.grad!.scalars))
  }

  @Test("Cos.: w_a = max(0, cos(h̃_p, h̃_a))")
  func cosine() throws {
    for seed: UInt64 in [15, 16, 17] {
      let toy = MTLToyProblem(tasks: Self.tasks, seed: seed)
      let m = try Self.make("ial-cos", logSigma: Self.s)
      let report = try m.backward(toy.makeStep())
      let raw = toy.rawFeatureGradients().map { $0.scalars.map(Double.init) }
      func cos(_ a: [Double], _ b: [Double]) -> Double {
        let d = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        return d / (a.reduce(0) { $0 + $1 * $1 }.squareRoot() * b.reduce(0) { $0 + $1 * $1 }.squareRoot())
      }
      let c = [cos(raw[0], raw[1]), cos(raw[0], raw[2])]
      #expect(abs(Double(report.values["cosine/depth"]!) - c[0]) < 1e-5)
      let want = Self.expected(raw: toy.rawFeatureGradients(), logSigma: Self.s.map(Double.init), weights: c.map { max($0, 0) })
      #expect(IALTests.close(want, toy.encoder.grad!.scalars))
    }
  }

  @Test("every variant keeps IAL's decoder stage: heads and σ get the same gradients as under IAL",
        arguments: IALAblation.descriptors.map(\.name))
  func decoderStageIsIALs(name: String) throws {
    let a = MTLToyProblem(tasks: Self.tasks, seed: 18)
    let b = MTLToyProblem(tasks: Self.tasks, seed: 18)
    let variant = try Self.make(name, logSigma: Self.s)
    let ial = try IALTests.make(logSigma: Self.s)
    _ = try variant.backward(a.makeStep())
    _ = try ial.backward(b.makeStep())
    for (ha, hb) in zip(a.heads, b.heads) {
      for (pa, pb) in zip(ha.parameters(), hb.parameters()) { #expect(pa.grad!.scalars == pb.grad!.scalars) }
    }
    #expect(variant.logSigma.grad!.scalars == ial.logSigma.grad!.scalars)
  }

  @Test("variant state round-trips (RTS epoch averages, EGN initial losses)")
  func state() throws {
    for name in ["ial-rts", "ial-egn"] {
      let toy = MTLToyProblem(tasks: Self.tasks, seed: 19)
      let m = try Self.make(name, logSigma: Self.s)
      for epoch in 0..<3 {
        toy.zeroGrad()
        _ = try m.backward(toy.makeStep(epoch: epoch))
      }
      let copy = try Self.make(name, logSigma: [0, 0, 0])
      try copy.loadStateDict(m.stateDict())
      toy.lossScales = [0.7, 1.3, 0.4]
      toy.zeroGrad()
      let r1 = try m.backward(toy.makeStep(epoch: 3))
      let g1 = toy.encoder.grad!.scalars
      toy.zeroGrad()
      let r2 = try copy.backward(toy.makeStep(epoch: 3))
      #expect(r1 == r2)
      #expect(toy.encoder.grad!.scalars == g1)
    }
    #expect(throws: MethodOptionError.self) { try MethodRegistry.make("ial-grad-fixed", tasks: Self.tasks, options: ["clamp_weight": "true"]) }
  }
}
