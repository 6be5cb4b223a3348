import AuxEngine
import AuxTestSupport
import Testing

@Suite("max, min, argmax, argmin")
struct ExtremaTests {
  @Test("finite-difference gradients", arguments: [
    ([1], false), ([1], true), ([-1], false), ([0], true), ([0, 2], false), ([0, 2], true),
    ([1, 2], false), ([-3, -1], true), ([0, 1, 2], false),
  ])
  func gradients(axes: [Int], keepDim: Bool) {
    let x = TestData.distinct([3, 4, 5], seed: 1)
    let rMax = GradientCheck.check([x]) { $0[0].max(axes: axes, keepDim: keepDim) }
    #expect(rMax.passed, "max \(axes) keepDim \(keepDim): \(rMax)")
    let rMin = GradientCheck.check([x]) { $0[0].min(axes: axes, keepDim: keepDim) }
    #expect(rMin.passed, "min \(axes) keepDim \(keepDim): \(rMin)")
  }

  @Test("finite-difference gradients of the full reductions")
  func fullReductions() {
    let x = TestData.distinct([2, 3, 4], seed: 2)
    #expect(GradientCheck.check([x]) { $0[0].max() }.passed)
    #expect(GradientCheck.check([x]) { $0[0].min() }.passed)
    #expect(GradientCheck.check([x]) { $0[0].max(axis: -2, keepDim: true) * 3 }.passed)
  }

  @Test("shapes with and without keepDim")
  func shapes() {
    let x = TestData.distinct([2, 3, 4, 5], seed: 3)
    #expect(x.max(axes: [1, 3]).shape == [2, 4])
    #expect(x.max(axes: [1, 3], keepDim: true).shape == [2, 1, 4, 1])
    #expect(x.min(axis: -1).shape == [2, 3, 4])
    #expect(x.argmax(axis: 0, keepDim: true).shape == [1, 3, 4, 5])
    #expect(x.max().shape == [])
    #expect(x.argmax().shape == [])
  }

  @Test("ties: the first maximal element gets the gradient and the index")
  func ties() {
    let x = Tensor(shape: [2, 3], scalars: [1, 3, 3, 2, 2, 1]).requiringGrad()
    let y = x.max(axis: 1)
    #expect(y.scalars == [3, 2])
    y.sum().backward()
    #expect(x.grad?.scalars == [0, 1, 0, 1, 0, 0])
    #expect(x.argmax(axis: 1).scalars == [1, 0])
    #expect(x.argmin(axis: 1).scalars == [0, 2])
    #expect(x.argmax().item == 1)
    let z = Tensor(shape: [3, 2], scalars: [5, 1, 5, 1, 4, 1]).requiringGrad()
    z.max(axes: [0, 1]).backward()
    #expect(z.grad?.scalars == [1, 0, 0, 0, 0, 0], "first in row-major order over both axes")
  }

  @Test("NaN propagates as in PyTorch")
  func nan() {
    let x = Tensor(shape: [2, 3], scalars: [1, .nan, 3, 4, 5, 6])
    let m = x.max(axis: 1)
    #expect(m.scalars[0].isNaN && m.scalars[1] == 6)
    #expect(x.argmax(axis: 1).scalars == [1, 2])
    #expect(x.min(axis: 1).scalars[0].isNaN)
  }

  @Test("argmax is not differentiable")
  func argmaxConstant() {
    let x = TestData.distinct([3, 4], seed: 4).requiringGrad()
    #expect(!x.argmax(axis: 1).requiresGrad)
    #expect(!x.argmin().requiresGrad)
  }

  @Test("PyTorch fixture: max(dim), min(dim), amax(dims), max(), min(), argmax, argmin")
  func fixture() throws {
    let f = try OpsFixture("extrema")
    try f.verify("max_axis1", inputs: ["x"]) { $0[0].max(axis: 1) }
    try f.verify("max_last_keep", inputs: ["x"]) { $0[0].max(axis: -1, keepDim: true) }
    try f.verify("min_axis0", inputs: ["x"]) { $0[0].min(axis: 0) }
    try f.verify("amax_02", inputs: ["x"]) { $0[0].max(axes: [0, 2]) }
    try f.verify("amax_12_keep", inputs: ["y"]) { $0[0].max(axes: [2, 1], keepDim: true) }
    try f.verify("max_all", inputs: ["x"]) { $0[0].max() }
    try f.verify("min_all", inputs: ["x"]) { $0[0].min() }
    let x = try f.tensor("x")
    let expected = try ["argmax_axis1", "argmax_last_keep", "argmin_axis0", "argmax_all", "argmin_all"].map { try f.tensor($0) }
    let actual = [
      x.argmax(axis: 1), x.argmax(axis: -1, keepDim: true), x.argmin(axis: 0), x.argmax(), x.argmin(),
    ]
    for (a, e) in zip(actual, expected) {
      #expect(a.shape == e.shape && a.scalars == e.scalars)
    }
  }
}
