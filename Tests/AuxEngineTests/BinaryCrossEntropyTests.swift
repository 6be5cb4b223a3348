import AuxEngine
import AuxTestSupport
import Testing

@Suite("binary cross-entropy with logits")
struct BinaryCrossEntropyTests {
  @Test("finite-difference gradients (logits and targets)", arguments: LossReduction.allCases)
  func gradients(reduction: LossReduction) {
    let x = TestData.uniform([2, 3, 2, 2], seed: 71, low: -4, high: 4)
    let y = TestData.uniform([2, 3, 2, 2], seed: 72, low: 0, high: 1)
    let w = TestData.uniform([3, 1, 1], seed: 73, low: 0.5, high: 2)
    let pw = Tensor(shape: [3, 1, 1], scalars: [0.95, 2, 5])
    let r1 = GradientCheck.check([x, y]) { $0[0].binaryCrossEntropyWithLogits(target: $0[1], reduction: reduction) }
    #expect(r1.passed, "plain \(reduction): \(r1)")
    let r2 = GradientCheck.check([x, y]) {
      $0[0].binaryCrossEntropyWithLogits(target: $0[1], weight: w, posWeight: pw, reduction: reduction)
    }
    #expect(r2.passed, "weight + posWeight \(reduction): \(r2)")
    let r3 = GradientCheck.check([x, y]) {
      $0[0].binaryCrossEntropyWithLogits(target: $0[1], posWeight: Tensor([3]), reduction: reduction)
    }
    #expect(r3.passed, "scalar-like posWeight \(reduction): \(r3)")
  }

  @Test("matches −[y log σ(x) + (1 − y) log(1 − σ(x))] and stays finite for large logits")
  func definition() {
    let x = Tensor([-3, -0.5, 0, 0.7, 2])
    let y = Tensor([0, 1, 0.3, 1, 0])
    let naive = -(y * x.sigmoid().log() + (1 - y) * (1 - x.sigmoid()).log())
    let loss = x.binaryCrossEntropyWithLogits(target: y, reduction: .none)
    #expect(Closeness.mismatch(loss, naive, rtol: 1e-5, atol: 1e-6) == nil)
    let big = Tensor([-200, 200]).requiringGrad()
    let l = big.binaryCrossEntropyWithLogits(target: Tensor([1, 0]), reduction: .none)
    #expect(Closeness.mismatch(l, Tensor([200, 200]), rtol: 1e-6) == nil)
    l.sum().backward()
    #expect(big.grad!.scalars == [-1, 1])
  }

  @Test("PyTorch fixture: plain, weight + pos_weight, scalar pos_weight")
  func fixture() throws {
    let f = try OpsFixture("bce")
    for reduction in LossReduction.allCases {
      let r = reduction.rawValue
      try f.verify("plain_\(r)", inputs: ["x", "y"]) { $0[0].binaryCrossEntropyWithLogits(target: $0[1], reduction: reduction) }
      let w = try f.tensor("weighted_\(r).weight")
      let pw = try f.tensor("weighted_\(r).pos_weight")
      try f.verify("weighted_\(r)", inputs: ["x", "y"]) {
        $0[0].binaryCrossEntropyWithLogits(target: $0[1], weight: w, posWeight: pw, reduction: reduction)
      }
    }
    let pw = try f.tensor("posweight_scalar_mean.pos_weight")
    try f.verify("posweight_scalar_mean", inputs: ["x", "y"]) { $0[0].binaryCrossEntropyWithLogits(target: $0[1], posWeight: pw) }
  }
}
