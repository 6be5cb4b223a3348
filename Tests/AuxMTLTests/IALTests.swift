import AuxEngine
import AuxMTL
import AuxNN
import Foundation
import Testing

/// IAL against its equations (see `ImpartialAuxiliaryLearning`) and invariants, with every expected value
/// computed here from plain autograd gradients and the spec's formulas in Double.
@Suite("IAL")
struct IALTests {
  static let tasks = [TaskInfo("seg", role: .primary), TaskInfo("depth", role: .auxiliary), TaskInfo("normal", role: .auxiliary)]

  /// The spec's encoder gradient ĥ for a single primary (index 0), from raw feature gradients.
  static func expectedEncoderGradient(
    raw: [Tensor], logSigma: [Double], signMask: Bool = true, weightedPrimary: Bool = true, clamp: Bool = true
  ) -> [Double] {
    let dw = logSigma.map { 0.5 * exp(-2 * $0) }
    let ht = raw.enumerated().map { t, r in r.scalars.map { Double($0) * dw[t] } }
    let hp = weightedPrimary ? ht[0] : raw[0].scalars.map(Double.init)
    let normP = hp.reduce(0) { $0 + $1 * $1 }.squareRoot()
    var out = hp
    for a in 1..<raw.count {
      let sigma = exp(logSigma[a])
      let w = clamp ? min(max(1 - sigma, 0), 1) : 1 - sigma
      let normA = ht[a].reduce(0) { $0 + $1 * $1 }.squareRoot()
      let n = normP / (normA + 1e-12)
      for i in out.indices where !signMask || hp[i] * ht[a][i] >= 0 { out[i] += w * n * ht[a][i] }
    }
    return out
  }

  static func close(_ a: [Double], _ b: [Float], tol: Double = 1e-5) -> Bool {
    let scale = max(a.map(abs).max() ?? 0, 1e-12)
    return zip(a, b).allSatisfy { abs($0 - Double($1)) <= tol * scale }
  }

  static func make(_ options: [String: String] = [:], tasks: [TaskInfo] = tasks, logSigma: [Float]? = nil) throws -> ImpartialAuxiliaryLearning {
    let m = try MethodRegistry.make("ial", tasks: tasks, options: options) as! ImpartialAuxiliaryLearning
    if let logSigma { m.logSigma.assign(Tensor(logSigma)) }
    return m
  }

  @Test("encoder gradient equals the spec's ĥ (defaults, two auxiliaries)")
  func encoderGradientMatchesSpec() throws {
    let toy = MTLToyProblem(tasks: Self.tasks)
    let s: [Float] = [-0.2, -0.9, -0.4]
    let ial = try Self.make(logSigma: s)
    let report = try ial.backward(toy.makeStep())
    let expected = Self.expectedEncoderGradient(raw: toy.rawFeatureGradients(), logSigma: s.map(Double.init))
    #expect(Self.close(expected, toy.encoder.grad!.scalars))
    #expect(report.values["encoder_weight/depth"]! == Float(1 - exp(-0.9)))
    #expect(report.values["sigma/normal"]! == Float(exp(-0.4)))
  }

  @Test("each option changes ĥ exactly as the spec says", arguments: [
    ["sign_mask": "false"], ["weighted_primary_gradient": "false"], ["clamp_weight": "false"],
  ])
  func options(options: [String: String]) throws {
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 5)
    let s: [Float] = [-0.5, 0.3, -1.2]  // σ_depth > 1: clamping matters
    let ial = try Self.make(options, logSigma: s)
    _ = try ial.backward(toy.makeStep())
    let expected = Self.expectedEncoderGradient(
      raw: toy.rawFeatureGradients(), logSigma: s.map(Double.init),
      signMask: options["sign_mask"] != "false", weightedPrimary: options["weighted_primary_gradient"] != "false",
      clamp: options["clamp_weight"] != "false")
    #expect(Self.close(expected, toy.encoder.grad!.scalars))
  }

  @Test("all auxiliary weights zero: encoder gets the weighted primary gradient only; heads and σ unchanged")
  func zeroAuxiliaryWeights() throws {
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 2)
    let s: [Float] = [-0.3, 0.5, 1.0]  // σ_a > 1 → w_a = 0
    let ial = try Self.make(logSigma: s)
    _ = try ial.backward(toy.makeStep())
    let raw = toy.rawFeatureGradients()
    let dw = s.map { 0.5 * exp(-2 * Double($0)) }
    #expect(Self.close(raw[0].scalars.map { Double($0) * dw[0] }, toy.encoder.grad!.scalars))
    let losses = toy.lossValues()
    for t in 0..<3 {
      let expectedHead = toy.rawHeadGradients(t)
      for (p, e) in zip(toy.heads[t].parameters(), expectedHead) {
        #expect(Self.close(e.scalars.map { Double($0) * dw[t] }, p.grad!.scalars))
      }
      // ∂L_dec/∂s_t = 1 − e^{−2 s_t} L_t
      let ds = 1 - exp(-2 * Double(s[t])) * Double(losses[t])
      #expect(abs(Double(ial.logSigma.grad!.scalars[t]) - ds) < 1e-5 * max(1, abs(ds)))
    }
  }

  @Test("without the sign mask, with w = 1 and one auxiliary, ‖ĥ − h̃_p‖ = ‖h̃_p‖")
  func normAlignment() throws {
    let tasks = [TaskInfo("main", role: .primary), TaskInfo("aux", role: .auxiliary)]
    let toy = MTLToyProblem(tasks: tasks, seed: 3)
    let ial = try Self.make(["sign_mask": "false"], tasks: tasks, logSigma: [-0.1, -40])
    _ = try ial.backward(toy.makeStep())
    let hp = toy.rawFeatureGradients()[0] * Float(0.5 * exp(0.2))
    let hHat = toy.encoder.grad!
    #expect(abs(norm(hHat - hp) - norm(hp)) < 1e-5 * norm(hp))
  }

  @Test("a task's decoder gradient does not depend on the other tasks' losses or σ")
  func decoderIndependence() throws {
    func headGrads(scales: [Float], s: [Float]) throws -> [Float] {
      let toy = MTLToyProblem(tasks: Self.tasks, seed: 4)
      toy.lossScales = scales
      let ial = try Self.make(logSigma: s)
      _ = try ial.backward(toy.makeStep())
      return toy.heads[0].parameters().flatMap { $0.grad!.scalars } + [ial.logSigma.grad!.scalars[0]]
    }
    let a = try headGrads(scales: [1, 1, 1], s: [-0.3, -0.3, -0.3])
    let b = try headGrads(scales: [1, 7, 0.1], s: [-0.3, 0.9, -2])
    #expect(a == b)
  }

  @Test("σ settles at √L on a fixed loss (s → ½ log L)")
  func sigmaConverges() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("a", role: .auxiliary)]
    let ial = try Self.make(tasks: tasks)
    let fixed: [Float] = [0.5, 2.0]
    let opt = SGD([ParameterGroup(name: "ial", parameters: ial.parameters, learningRate: 0.1)])
    let encoder = Parameter(Tensor.ones([2, 2]))
    for _ in 0..<400 {
      opt.zeroGrad()
      let shared = SharedFeatures(encoder.value * 1, taskCount: 2)
      // Losses that do not depend on the features: the primary feature gradient is zero, so the
      // step also exercises the "skip auxiliary terms" path.
      let losses = fixed.map { Tensor($0).requiringGrad() }
      let report = try ial.backward(MTLStep(tasks: tasks, losses: losses, shared: shared, sharedParameters: [encoder]))
      #expect(report.notes.contains { $0.contains("skipped") })
      opt.step()
    }
    for t in 0..<2 {
      #expect(abs(Double(ial.logSigma.value.scalars[t]) - 0.5 * log(Double(fixed[t]))) < 1e-3)
    }
    #expect(encoder.grad!.scalars.allSatisfy { $0 == 0 })
  }

  @Test("at fixed σ, scaling an auxiliary loss by c > 0 leaves ĥ unchanged")
  func auxiliaryScaleInvariance() throws {
    func hHat(_ scale: Float) throws -> [Float] {
      let toy = MTLToyProblem(tasks: Self.tasks, seed: 6)
      toy.lossScales = [1, scale, 1]
      let ial = try Self.make(logSigma: [-0.2, -0.8, -0.5])
      _ = try ial.backward(toy.makeStep())
      return toy.encoder.grad!.scalars
    }
    let a = try hHat(1)
    let b = try hHat(37)
    #expect(Self.close(a.map(Double.init), b, tol: 1e-5))
  }

  @Test("several primaries are combined by IMTL-G (the paper's D/U form), auxiliaries aligned to the combined norm")
  func multiplePrimaries() throws {
    let tasks = [TaskInfo("a", role: .primary), TaskInfo("b", role: .primary), TaskInfo("c", role: .auxiliary)]
    let toy = MTLToyProblem(tasks: tasks, seed: 7)
    let s: [Float] = [-0.3, -0.1, -0.6]
    let ial = try Self.make(["sign_mask": "false"], tasks: tasks, logSigma: s)
    _ = try ial.backward(toy.makeStep())
    let raw = toy.rawFeatureGradients()
    let dw = s.map { 0.5 * exp(-2 * Double($0)) }
    let g1 = raw[0].scalars.map { Double($0) * dw[0] }
    let g2 = raw[1].scalars.map { Double($0) * dw[1] }
    // Paper form with T = 2: α_2 = (g1·u) / ((g1 − g2)·u), u = g1/|g1| − g2/|g2|; α_1 = 1 − α_2.
    let n1 = g1.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let n2 = g2.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let u = zip(g1, g2).map { $0 / n1 - $1 / n2 }
    let num = zip(g1, u).reduce(0) { $0 + $1.0 * $1.1 }
    let den = zip(zip(g1, g2).map { $0 - $1 }, u).reduce(0) { $0 + $1.0 * $1.1 }
    let a2 = num / den
    let hP = zip(g1, g2).map { (1 - a2) * $0 + a2 * $1 }
    let normP = hP.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let hc = raw[2].scalars.map { Double($0) * dw[2] }
    let normC = hc.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let w = 1 - exp(Double(s[2]))
    let expected = zip(hP, hc).map { $0 + w * normP / normC * $1 }
    #expect(Self.close(expected, toy.encoder.grad!.scalars, tol: 1e-4))
  }

  @Test("state round-trips and unknown options are refused by name")
  func stateAndOptions() throws {
    let ial = try Self.make(["ema_smooth": "0.5"], logSigma: [0.1, 0.2, 0.3])
    let toy = MTLToyProblem(tasks: Self.tasks)
    _ = try ial.backward(toy.makeStep())
    let state = ial.stateDict()
    let other = try Self.make(["ema_smooth": "0.5"])
    try other.loadStateDict(state)
    #expect(other.logSigma.value.scalars == ial.logSigma.value.scalars)
    #expect(other.smoothedWeights == ial.smoothedWeights)
    #expect(throws: MethodOptionError.self) { try MethodRegistry.make("ial", tasks: Self.tasks, options: ["sign_masks": "true"]) }
    #expect(throws: MethodOptionError.self) { try MethodRegistry.make("ial", tasks: Self.tasks, options: ["clamp_weight": "maybe"]) }
    #expect(throws: MTLStepError.self) { try MethodRegistry.make("ial", tasks: [TaskInfo("x", role: .primary)]) }
  }

  @Test("EMA smoothing follows r ← (1−μ) r + μ (1 − σ)")
  func emaSmoothing() throws {
    let ial = try Self.make(["ema_smooth": "0.25"], logSigma: [-0.2, -0.9, -0.4])
    let toy = MTLToyProblem(tasks: Self.tasks)
    _ = try ial.backward(toy.makeStep())
    let r0 = ial.smoothedWeights!
    #expect(abs(r0[0] - (1 - exp(-0.9))) < 1e-6)
    ial.logSigma.assign(Tensor([-0.2, -0.1, -0.4]))
    toy.zeroGrad()
    _ = try ial.backward(toy.makeStep())
    #expect(abs(ial.smoothedWeights![0] - (0.75 * r0[0] + 0.25 * (1 - exp(-0.1)))) < 1e-6)
  }
}
