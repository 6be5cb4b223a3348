import AuxEngine
import AuxTestSupport
import Testing

@Suite("Element-wise ops: finite-difference gradients")
struct ArithmeticGradientTests {
  static func input(_ shape: [Int], seed: UInt64, positive: Bool = false) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = Shape.count(shape)
    return Tensor(shape: shape, scalars: (0..<n).map { _ in
      let v = rng.nextUniform() * 2 - 1
      return positive ? Swift.abs(v) + 0.5 : v
    })
  }

  @Test("binary ops with broadcasting", arguments: [
    ([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([2, 1, 4], [3, 1]), ([1], [2, 3]), ([2, 3], []),
  ])
  func binary(shapes: ([Int], [Int])) {
    let a = Self.input(shapes.0, seed: 1)
    let b = Self.input(shapes.1, seed: 2, positive: true)
    for (name, f) in [
      ("add", { (x: [Tensor]) in x[0] + x[1] }),
      ("sub", { (x: [Tensor]) in x[0] - x[1] }),
      ("mul", { (x: [Tensor]) in x[0] * x[1] }),
      ("div", { (x: [Tensor]) in x[0] / x[1] }),
    ] {
      let r = GradientCheck.check([a, b], f)
      #expect(r.passed, "\(name) \(shapes): \(r)")
    }
  }

  @Test("unary functions")
  func unary() {
    let x = Self.input([3, 5], seed: 3)
    let p = Self.input([3, 5], seed: 4, positive: true)
    let cases: [(String, Tensor, ([Tensor]) -> Tensor)] = [
      ("neg", x, { -$0[0] }),
      ("exp", x, { $0[0].exp() }),
      ("log", p, { $0[0].log() }),
      ("sqrt", p, { $0[0].sqrt() }),
      ("pow 3", x, { $0[0].pow(3) }),
      ("pow 2.5", p, { $0[0].pow(2.5) }),
      ("abs", x, { $0[0].abs() }),
      ("clamp", x, { $0[0].clamped(min: -0.3, max: 0.4) }),
      ("relu", x, { $0[0].relu() }),
      ("sigmoid", x, { $0[0].sigmoid() }),
      ("tanh", x, { $0[0].tanh() }),
      ("scalar ops", x, { ($0[0] * 3 + 1) / 2 - 0.5 }),
      ("rdiv", p, { 2 / $0[0] }),
    ]
    for (name, input, f) in cases {
      let r = GradientCheck.check([input], f)
      #expect(r.passed, "\(name): \(r)")
    }
  }

  @Test("pow with a tensor exponent")
  func powTensor() {
    let base = Self.input([2, 3], seed: 5, positive: true)
    let e = Self.input([3], seed: 6)
    let r = GradientCheck.check([base, e]) { $0[0].pow($0[1]) }
    #expect(r.passed, "\(r)")
  }

  @Test("sum, mean, reshape, permute, matmul, gather")
  func structural() {
    let x = Self.input([2, 3, 4], seed: 7)
    let m = Self.input([4, 5], seed: 8)
    let bm = Self.input([2, 4, 2], seed: 9)
    let cases: [(String, [Tensor], ([Tensor]) -> Tensor)] = [
      ("sum all", [x], { $0[0].sum() }),
      ("mean all", [x], { $0[0].mean() }),
      ("sum axes", [x], { $0[0].sum(axes: [0, 2]) }),
      ("mean keepdim", [x], { $0[0].mean(axis: 1, keepDim: true) }),
      ("reshape", [x], { $0[0].reshaped([6, -1]) * 2 }),
      ("permute", [x], { $0[0].permuted([2, 0, 1]) }),
      ("matmul shared rhs", [x, m], { $0[0].matmul($0[1]) }),
      ("bmm", [x, bm], { $0[0].matmul($0[1]) }),
      ("gather rows", [x], { $0[0].gatherRows([1, 0, 1]) }),
      ("expand", [Self.input([3, 1], seed: 10)], { $0[0].broadcast(to: [2, 3, 4]) }),
    ]
    for (name, inputs, f) in cases {
      let r = GradientCheck.check(inputs, f)
      #expect(r.passed, "\(name): \(r)")
    }
  }
}
