import AuxEngine
import AuxMTL
import Testing

@Suite("Exact state coding and VectorAdam")
struct ExactStateCodingTests {
  @Test("words, Doubles, counters and generators survive Float tensors bit for bit")
  func roundTrips() throws {
    let words: [UInt64] = [0, 1, 0xFFFF, 0x1_0000, 0xDEAD_BEEF_CAFE_F00D, UInt64.max]
    #expect(try ExactStateCoding.decodeWords(ExactStateCoding.encode(words: words), key: "w") == words)
    let doubles = [0.0, -0.0, 1e-300, -3.25, Double.pi, Double.infinity, Double.leastNonzeroMagnitude]
    let back = try ExactStateCoding.decodeDoubles(ExactStateCoding.encode(doubles: doubles), key: "d")
    #expect(back.map(\.bitPattern) == doubles.map(\.bitPattern))
    for c in [0, 1, -1, 16_777_217, Int.max] { #expect(try ExactStateCoding.decodeCount(ExactStateCoding.encode(count: c), key: "c") == c) }
    var g = RandomGenerator(seed: 42)
    _ = g.nextNormal()  // leaves a cached second deviate in the state
    var h = try ExactStateCoding.decodeGenerator(ExactStateCoding.encode(g), key: "g")
    #expect(h == g)
    #expect((0..<10).map { _ in h.nextNormal() } == (0..<10).map { _ in g.nextNormal() })
  }

  @Test("malformed chunks are refused with the key's name")
  func refusesMalformed() {
    #expect(throws: MTLStepError.self) { try ExactStateCoding.decodeWords(Tensor([1, 2, 3]), key: "k") }
    #expect(throws: MTLStepError.self) { try ExactStateCoding.decodeWords(Tensor([1, 2, 3, 70_000]), key: "k") }
    #expect(throws: MTLStepError.self) { try ExactStateCoding.decodeWords(Tensor([1, 2, 3, 0.5]), key: "k") }
    #expect(throws: MTLStepError.self) { try ExactStateCoding.decodeWords(Tensor([1, 2, 3, 4]), key: "k", expectedCount: 2) }
  }

  @Test("VectorAdam follows torch.optim.Adam: first step moves by lr·sign(g); L2 decay enters the gradient")
  func adam() throws {
    var adam = VectorAdam(count: 2, learningRate: 0.1, weightDecay: 0.5)
    var x: [Float] = [1, -2]
    adam.step(&x, gradient: [0.3, 0])
    // g = [0.3 + 0.5, 0 − 1]; m̂ = g, v̂ = g²: x −= 0.1 · g/(|g| + 1e-8).
    #expect(abs(x[0] - 0.9) < 1e-6 && abs(x[1] - -1.9) < 1e-6)
    // Second step by hand (β₁ = 0.9, β₂ = 0.999).
    let g1: [Double] = [0.8, -1]
    let g2 = [0.1 + 0.5 * 0.9, 0.2 + 0.5 * -1.9]
    adam.step(&x, gradient: [0.1, 0.2])
    for i in 0..<2 {
      let m = 0.9 * 0.1 * g1[i] + 0.1 * g2[i]
      let v = 0.999 * 0.001 * g1[i] * g1[i] + 0.001 * g2[i] * g2[i]
      let mHat = m / (1 - 0.81)
      let denom = (v / (1 - 0.999 * 0.999)).squareRoot() + 1e-8
      let expected = [0.9, -1.9][i] - 0.1 * mHat / denom
      #expect(abs(Double(x[i]) - expected) < 1e-5)
    }
    var restored = VectorAdam(count: 2, learningRate: 0.1, weightDecay: 0.5)
    try restored.loadStateDict(adam.stateDict(prefix: "a"), prefix: "a")
    #expect(restored == adam)
  }
}
