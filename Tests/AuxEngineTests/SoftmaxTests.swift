import AuxEngine
import AuxTestSupport
import Testing

@Suite("softmax and log-softmax")
struct SoftmaxTests {
  @Test("finite-difference gradients", arguments: [0, 1, 2, -1, -2])
  func gradients(axis: Int) {
    let x = TestData.uniform([3, 4, 5], seed: 11, low: -2, high: 2)
    let r1 = GradientCheck.check([x]) { $0[0].softmax(axis: axis) }
    #expect(r1.passed, "softmax axis \(axis): \(r1)")
    let r2 = GradientCheck.check([x]) { $0[0].logSoftmax(axis: axis) }
    #expect(r2.passed, "logSoftmax axis \(axis): \(r2)")
  }

  @Test("rows sum to one and large logits do not overflow")
  func stable() {
    let x = TestData.uniform([4, 6], seed: 12, low: -1000, high: 1000)
    let y = x.softmax(axis: 1)
    for v in y.sum(axis: 1).scalars { #expect(Swift.abs(v - 1) < 1e-5) }
    #expect(x.logSoftmax(axis: 1).scalars.allSatisfy { $0.isFinite && $0 <= 0 })
  }

  @Test("PyTorch fixture")
  func fixture() throws {
    let f = try OpsFixture("softmax")
    try f.verify("softmax_axis1", inputs: ["x"]) { $0[0].softmax(axis: 1) }
    try f.verify("softmax_last", inputs: ["x"]) { $0[0].softmax(axis: -1) }
    try f.verify("softmax_axis0", inputs: ["x"]) { $0[0].softmax(axis: 0) }
    try f.verify("log_softmax_axis1", inputs: ["x"]) { $0[0].logSoftmax(axis: 1) }
    try f.verify("log_softmax_last", inputs: ["x"]) { $0[0].logSoftmax(axis: -1) }
    try f.verify("softmax_big", inputs: ["big"]) { $0[0].softmax(axis: 1) }
    try f.verify("log_softmax_big", inputs: ["big"]) { $0[0].logSoftmax(axis: 1) }
  }
}
