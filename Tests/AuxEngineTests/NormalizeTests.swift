import AuxEngine
import AuxTestSupport
import Testing

@Suite("normalize (F.normalize)")
struct NormalizeTests {
  @Test("finite-difference gradients", arguments: [(Float(2), 1), (2, -1), (1, 0), (3, 2), (2.5, 1)])
  func gradients(p: Float, axis: Int) {
    let x = TestData.distinct([3, 4, 5], seed: 7)
    let r = GradientCheck.check([x]) { $0[0].normalized(p: p, axis: axis) }
    #expect(r.passed, "p \(p) axis \(axis): \(r)")
  }

  @Test("finite-difference gradient where the clamp is active (norm below eps)")
  func clamped() {
    let x = TestData.uniform([4, 3], seed: 8, low: -0.01, high: 0.01)
    let r = GradientCheck.check([x], epsilon: 1e-4) { $0[0].normalized(axis: 1, eps: 0.5) }
    #expect(r.passed, "\(r)")
  }

  @Test("unit length along the axis; zero vectors stay zero")
  func unitLength() {
    var x = TestData.uniform([2, 3, 4], seed: 9)
    for c in 0..<3 { x[0, c, 1] = 0 }
    let y = x.normalized(axis: 1)
    let norms = (y * y).sum(axis: 1).scalars
    for (i, v) in norms.enumerated() {
      if i == 1 { #expect(v == 0) } else { #expect(Swift.abs(v - 1) < 1e-5) }
    }
  }

  @Test("PyTorch fixture: p = 2, 1, 3, a zero vector and eps clamping")
  func fixture() throws {
    let f = try OpsFixture("shape")
    try f.verify("normalize_p2", inputs: ["n"]) { $0[0].normalized(p: 2, axis: 1) }
    try f.verify("normalize_p2_eps", inputs: ["n"]) { $0[0].normalized(p: 2, axis: 1, eps: 0.05) }
    try f.verify("normalize_p1_last", inputs: ["n"]) { $0[0].normalized(p: 1, axis: -1) }
    try f.verify("normalize_p3", inputs: ["n"]) { $0[0].normalized(p: 3, axis: 1) }
  }
}
