import AuxEngine
import AuxTestSupport
import Testing

/// The finite-difference checker must reject wrong backward passes, or every gradient test that
/// relies on it proves nothing.
@Suite("GradientCheck catches wrong gradients")
struct GradientCheckSelfTests {
  /// x² with a backward pass that forgets the factor 2.
  static func squareMissingFactor(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.map(x) { $0 * $0 }
    let xd = x.detached()
    return Tensor.record("bad_square", output: out, inputs: [x]) { g, _ in [g * xd] }
  }

  /// x² with the correct backward pass.
  static func square(_ x: Tensor) -> Tensor {
    let out = ElementwiseKernels.map(x) { $0 * $0 }
    let xd = x.detached()
    return Tensor.record("square", output: out, inputs: [x]) { g, _ in [g * xd * 2] }
  }

  /// A row-wise softmax whose backward pass omits the `− Σ g·y` term.
  static func softmaxWrong(_ x: Tensor) -> Tensor {
    let out = Autograd.withoutGradients { x.softmax(axis: 1) }
    return Tensor.record("bad_softmax", output: out, inputs: [x]) { g, _ in [g * out] }
  }

  /// A max over axis 1 whose backward pass sends the gradient to the last element instead of the
  /// maximal one.
  static func maxWrongIndex(_ x: Tensor) -> Tensor {
    let out = Autograd.withoutGradients { x.max(axis: 1) }
    let shape = x.shape
    return Tensor.record("bad_max", output: out, inputs: [x]) { g, _ in
      var gx = Tensor.zeros(shape)
      for r in 0..<shape[0] { gx[r, shape[1] - 1] = g[r] }
      return [gx]
    }
  }

  @Test("a correct backward passes")
  func correctPasses() {
    let x = TestData.uniform([3, 4], seed: 41)
    #expect(GradientCheck.check([x]) { Self.square($0[0]) }.passed)
  }

  @Test("wrong backward passes fail")
  func wrongFails() {
    let x = TestData.distinct([3, 4], seed: 42)
    let r1 = GradientCheck.check([x]) { Self.squareMissingFactor($0[0]) }
    #expect(!r1.passed, "a missing factor 2 must be caught: \(r1)")
    let r2 = GradientCheck.check([x]) { Self.softmaxWrong($0[0]) }
    #expect(!r2.passed, "a missing softmax term must be caught: \(r2)")
    let r3 = GradientCheck.check([x]) { Self.maxWrongIndex($0[0]) }
    #expect(!r3.passed, "a gradient sent to the wrong element must be caught: \(r3)")
  }

  @Test("a backward pass that drops one input's gradient fails")
  func missingInputGradient() {
    let a = TestData.uniform([2, 3], seed: 43)
    let b = TestData.uniform([2, 3], seed: 44)
    let r = GradientCheck.check([a, b]) { x in
      let out = Autograd.withoutGradients { x[0] * x[1] }
      let ad = x[0].detached()
      return Tensor.record("bad_mul", output: out, inputs: [x[0], x[1]]) { g, _ in [g * ad, nil] }
    }
    #expect(!r.passed, "\(r)")
  }
}
