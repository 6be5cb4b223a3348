import AuxEngine
import AuxTestSupport
import Testing

@Suite("cross-entropy")
struct CrossEntropyTests {
  static let weight = Tensor([0.5, 2, 1, 3])

  @Test("finite-difference gradients: class indices, ignore index, weights, reductions", arguments: LossReduction.allCases)
  func hardTargets(reduction: LossReduction) {
    let logits = TestData.uniform([6, 4], seed: 51, low: -2, high: 2)
    let target = TestData.labels([6], classes: 4, seed: 52, ignore: -100, at: [1, 4])
    let r1 = GradientCheck.check([logits]) { $0[0].crossEntropy(target: target, reduction: reduction) }
    #expect(r1.passed, "[N, C] \(reduction): \(r1)")
    let r2 = GradientCheck.check([logits]) { $0[0].crossEntropy(target: target, weight: Self.weight, reduction: reduction) }
    #expect(r2.passed, "[N, C] weighted \(reduction): \(r2)")

    let dense = TestData.uniform([2, 4, 3, 5], seed: 53, low: -3, high: 3)
    let labels = TestData.labels([2, 3, 5], classes: 4, seed: 54, ignore: 255, at: [0, 1, 2, 17, 29])
    let r3 = GradientCheck.check([dense]) { $0[0].crossEntropy(target: labels, ignoreIndex: 255, reduction: reduction) }
    #expect(r3.passed, "[N, C, H, W] ignore 255 \(reduction): \(r3)")
    let r4 = GradientCheck.check([dense]) {
      $0[0].crossEntropy(target: labels, weight: Self.weight, ignoreIndex: 255, reduction: reduction)
    }
    #expect(r4.passed, "[N, C, H, W] weighted \(reduction): \(r4)")
    let m1 = TestData.labels([2, 3, 5], classes: 4, seed: 55, ignore: -1, at: [3, 4, 20])
    let r5 = GradientCheck.check([dense]) { $0[0].crossEntropy(target: m1, ignoreIndex: -1, reduction: reduction) }
    #expect(r5.passed, "[N, C, H, W] ignore -1 \(reduction): \(r5)")
  }

  @Test("finite-difference gradients: soft targets (both inputs)", arguments: LossReduction.allCases)
  func softTargets(reduction: LossReduction) {
    let logits = TestData.uniform([2, 4, 3, 2], seed: 56, low: -2, high: 2)
    let probs = TestData.uniform([2, 4, 3, 2], seed: 57).softmax(axis: 1)
    let r1 = GradientCheck.check([logits, probs]) { $0[0].crossEntropy(softTarget: $0[1], reduction: reduction) }
    #expect(r1.passed, "\(reduction): \(r1)")
    let r2 = GradientCheck.check([logits, probs]) { $0[0].crossEntropy(softTarget: $0[1], weight: Self.weight, reduction: reduction) }
    #expect(r2.passed, "weighted \(reduction): \(r2)")
    let flat = TestData.uniform([5, 4], seed: 58, low: -2, high: 2)
    let flatProbs = TestData.uniform([5, 4], seed: 59).softmax(axis: 1)
    let r3 = GradientCheck.check([flat, flatProbs]) { $0[0].crossEntropy(softTarget: $0[1], reduction: reduction) }
    #expect(r3.passed, "[N, C] \(reduction): \(r3)")
  }

  @Test("equals log-softmax + gather, and one-hot soft targets equal class indices")
  func consistency() {
    let logits = TestData.uniform([3, 5, 2], seed: 60, low: -3, high: 3)
    let labels = TestData.labels([3, 2], classes: 5, seed: 61)
    let hard = logits.crossEntropy(target: labels, reduction: .none)
    let logp = logits.logSoftmax(axis: 1)
    var oneHot = Tensor.zeros(logits.shape)
    for n in 0..<3 {
      for j in 0..<2 {
        let c = Int(labels[n, j])
        #expect(Swift.abs(hard[n, j] + logp[n, c, j]) < 1e-5)
        oneHot[n, c, j] = 1
      }
    }
    let soft = logits.crossEntropy(softTarget: oneHot, reduction: .none)
    #expect(Closeness.mismatch(soft, hard, rtol: 1e-5, atol: 1e-6) == nil)
  }

  @Test("an all-ignored batch gives 0 with a zero gradient (PyTorch: NaN)")
  func allIgnored() {
    let logits = TestData.uniform([2, 3, 2, 2], seed: 62).requiringGrad()
    let target = Tensor(shape: [2, 2, 2], repeating: 255)
    for reduction in LossReduction.allCases {
      let loss = logits.crossEntropy(target: target, ignoreIndex: 255, reduction: reduction)
      #expect(loss.scalars.allSatisfy { $0 == 0 })
      let g = Autograd.gradients(of: [loss], seeds: [Tensor.ones(loss.shape)], wrt: [logits])[0]!
      #expect(g.scalars.allSatisfy { $0 == 0 }, "\(reduction)")
    }
    // Weights that are 0 for every present class: the weighted mean's denominator is 0 too.
    let zeroWeight = Tensor([0, 1, 1])
    let labels = Tensor(shape: [2, 2, 2], repeating: 0)
    let loss = logits.crossEntropy(target: labels, weight: zeroWeight)
    #expect(loss.item == 0)
  }

  @Test("non-finite logits at ignored pixels do not leak into the loss or the gradient")
  func nonFiniteIgnored() {
    var logits = TestData.uniform([1, 3, 2], seed: 63)
    logits[0, 0, 1] = .nan
    logits[0, 2, 1] = .infinity
    let leaf = logits.requiringGrad()
    let target = Tensor(shape: [1, 2], scalars: [2, -1])
    let loss = leaf.crossEntropy(target: target, ignoreIndex: -1)
    #expect(loss.item.isFinite)
    loss.backward()
    #expect(leaf.grad!.scalars.allSatisfy { $0.isFinite })
  }

  @Test("PyTorch fixture: class indices with ignore index and weights, dense, unbatched, soft targets")
  func fixture() throws {
    let f = try OpsFixture("cross_entropy")
    for reduction in LossReduction.allCases {
      let r = reduction.rawValue
      let target = try f.tensor("cls_ignore_\(r).target")
      try f.verify("cls_ignore_\(r)", inputs: ["logits"]) { $0[0].crossEntropy(target: target, reduction: reduction) }
      let weight = try f.tensor("cls_weight_\(r).weight")
      try f.verify("cls_weight_\(r)", inputs: ["logits"]) {
        $0[0].crossEntropy(target: target, weight: weight, reduction: reduction)
      }
      let dense = try f.tensor("dense_255_\(r).target")
      try f.verify("dense_255_\(r)", inputs: ["logits"]) {
        $0[0].crossEntropy(target: dense, ignoreIndex: 255, reduction: reduction)
      }
      let dw = try f.tensor("dense_weight_\(r).weight")
      try f.verify("dense_weight_\(r)", inputs: ["logits"]) {
        $0[0].crossEntropy(target: dense, weight: dw, ignoreIndex: 255, reduction: reduction)
      }
      try f.verify("soft_\(r)", inputs: ["logits", "probs"]) { $0[0].crossEntropy(softTarget: $0[1], reduction: reduction) }
      let sw = try f.tensor("soft_weight_\(r).weight")
      try f.verify("soft_weight_\(r)", inputs: ["logits", "probs"]) {
        $0[0].crossEntropy(softTarget: $0[1], weight: sw, reduction: reduction)
      }
    }
    let m1 = try f.tensor("dense_m1_mean.target")
    try f.verify("dense_m1_mean", inputs: ["logits"]) { $0[0].crossEntropy(target: m1, ignoreIndex: -1) }
    let t3 = try f.tensor("seq_mean.target")
    try f.verify("seq_mean", inputs: ["logits"]) { $0[0].crossEntropy(target: t3) }
    let t1 = try f.tensor("unbatched.target")
    try f.verify("unbatched", inputs: ["logits"]) { $0[0].crossEntropy(target: t1) }
    let tb = try f.tensor("cls_big.target")
    try f.verify("cls_big", inputs: ["logits"]) { $0[0].crossEntropy(target: tb) }
  }
}
