import AuxEngine
import AuxTestSupport
import Testing

@Suite("L1, MSE and masked means")
struct RegressionLossTests {
  static func mask(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in rng.nextUniform() > 0.3 ? 1 : 0 })
  }

  @Test("finite-difference gradients with and without masks", arguments: LossReduction.allCases)
  func gradients(reduction: LossReduction) {
    let p = TestData.distinct([2, 3, 4, 4], seed: 81)
    let t = TestData.uniform([2, 3, 4, 4], seed: 82, low: -0.01, high: 0.01)
    let m = Self.mask([2, 1, 4, 4], seed: 83)
    // Central differences are exact for the quadratic MSE, so it takes a larger step (less
    // float32 rounding in the summed loss); L1 keeps a step smaller than its distance to the kink.
    let cases: [(String, Float, ([Tensor]) -> Tensor)] = [
      ("l1", 1e-3, { $0[0].l1Loss($0[1], reduction: reduction) }),
      ("mse", 1e-2, { $0[0].mseLoss($0[1], reduction: reduction) }),
      ("l1 masked [N,1,H,W]", 1e-3, { $0[0].l1Loss($0[1], mask: m, reduction: reduction) }),
      ("mse masked [N,1,H,W]", 1e-2, { $0[0].mseLoss($0[1], mask: m, reduction: reduction) }),
      ("l1 weighted mask [H,W]", 1e-3, { $0[0].l1Loss($0[1], mask: TestData.uniform([4, 4], seed: 84, low: 0, high: 2), reduction: reduction) }),
    ]
    for (name, epsilon, f) in cases {
      let r = GradientCheck.check([p, t], epsilon: epsilon, f)
      #expect(r.passed, "\(name) \(reduction): \(r)")
    }
  }

  @Test("masked mean: finite differences, definition, all-invalid gives 0")
  func maskedMean() {
    let x = TestData.uniform([2, 3, 4], seed: 85)
    let m = Self.mask([2, 1, 4], seed: 86)
    let r = GradientCheck.check([x]) { $0[0].maskedMean(m) }
    #expect(r.passed, "\(r)")
    let expected = (x * m).sum().item / (m.sum().item * 3)
    #expect(Swift.abs(x.maskedMean(m).item - expected) < 1e-6)
    let leaf = x.requiringGrad()
    let zero = leaf.maskedMean(Tensor.zeros([2, 1, 4]))
    #expect(zero.item == 0)
    zero.backward()
    #expect(leaf.grad!.scalars.allSatisfy { $0 == 0 })
  }

  @Test("invalid elements are never read: NaN targets under a zero mask")
  func nanUnderMask() {
    var t = TestData.uniform([1, 1, 2, 3], seed: 87)
    t[0, 0, 1, 2] = .nan
    let m = Tensor(shape: [1, 1, 2, 3], scalars: [1, 1, 1, 1, 1, 0])
    let p = TestData.uniform([1, 1, 2, 3], seed: 88).requiringGrad()
    for reduction in LossReduction.allCases {
      let loss = p.l1Loss(t, mask: m, reduction: reduction)
      #expect(loss.scalars.allSatisfy { $0.isFinite }, "\(reduction)")
    }
    let loss = p.mseLoss(t, mask: m)
    loss.backward()
    #expect(p.grad!.scalars.allSatisfy { $0.isFinite })
    let none = Tensor.zeros([1, 1, 2, 3])
    #expect(p.l1Loss(t, mask: none).item == 0)
  }

  @Test("PyTorch fixture: LibMTL masked depth L1, broadcast masks, reductions, |0| gradient")
  func fixture() throws {
    let f = try OpsFixture("regression")
    let m = try f.tensor("l1_masked.mask")
    try f.verify("l1_masked", inputs: ["p", "t"]) { $0[0].l1Loss($0[1], mask: m) }
    let mb = try f.tensor("l1_masked_broadcast.mask")
    try f.verify("l1_masked_broadcast", inputs: ["p", "t"]) { $0[0].l1Loss($0[1], mask: mb) }
    try f.verify("mse_masked_broadcast", inputs: ["p", "t"]) { $0[0].mseLoss($0[1], mask: mb) }
    for reduction in LossReduction.allCases {
      let r = reduction.rawValue
      try f.verify("l1_\(r)", inputs: ["p", "t"]) { $0[0].l1Loss($0[1], reduction: reduction) }
      try f.verify("mse_\(r)", inputs: ["p", "t"]) { $0[0].mseLoss($0[1], reduction: reduction) }
    }
    try f.verify("l1_ties", inputs: ["p", "t"]) { $0[0].l1Loss($0[1]) }
  }
}
