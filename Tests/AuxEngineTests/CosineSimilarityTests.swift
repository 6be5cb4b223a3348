import AuxEngine
import AuxTestSupport
import Testing

@Suite("cosine similarity")
struct CosineSimilarityTests {
  @Test("finite-difference gradients", arguments: [1, -1, 0, 2])
  func gradients(axis: Int) {
    let a = TestData.uniform([2, 3, 4, 5], seed: 91)
    let b = TestData.uniform([2, 3, 4, 5], seed: 92)
    let r = GradientCheck.check([a, b]) { $0[0].cosineSimilarity($0[1], axis: axis) }
    #expect(r.passed, "axis \(axis): \(r)")
    let r2 = GradientCheck.check([a, b]) { (1 - $0[0].cosineSimilarity($0[1], axis: axis)).mean() }
    #expect(r2.passed, "1 − cos, axis \(axis): \(r2)")
  }

  @Test("values: parallel, opposite, orthogonal, zero vectors")
  func values() {
    let a = Tensor(shape: [4, 2], scalars: [1, 2, 1, 0, 1, 0, 0, 0])
    let b = Tensor(shape: [4, 2], scalars: [2, 4, -3, 0, 0, 5, 1, 1])
    let c = a.cosineSimilarity(b, axis: 1).scalars
    #expect(Swift.abs(c[0] - 1) < 1e-6 && Swift.abs(c[1] + 1) < 1e-6 && c[2] == 0 && c[3] == 0)
  }

  @Test("PyTorch fixture: axes, eps clamping with PyTorch's gradient rule, zero vectors, the normal loss")
  func fixture() throws {
    let f = try OpsFixture("cosine")
    try f.verify("cos_axis1", inputs: ["a", "b"]) { $0[0].cosineSimilarity($0[1], axis: 1) }
    try f.verify("cos_last", inputs: ["a", "b"]) { $0[0].cosineSimilarity($0[1], axis: -1) }
    try f.verify("cos_eps", inputs: ["c", "d"]) { $0[0].cosineSimilarity($0[1], axis: 1, eps: 0.1) }
    try f.verify("cos_default_eps_zero", inputs: ["c", "d"]) { $0[0].cosineSimilarity($0[1], axis: 1) }
    let gt = try f.tensor("normal_loss.gt")
    let mask = try f.tensor("normal_loss.mask")
    try f.verify("normal_loss", inputs: ["pred"]) {
      (1 - $0[0].normalized(axis: 1).cosineSimilarity(gt, axis: 1)).maskedMean(mask)
    }
  }
}
