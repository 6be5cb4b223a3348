import AuxEngine
import AuxIO
import AuxTestSupport
import Testing

/// Distinct values at least 0.05 apart in random order, so that finite differences never move a
/// maximum.
func distinctValues(_ shape: [Int], seed: UInt64) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  var values = (0..<Shape.count(shape)).map { Float($0) * 0.05 - 1 }
  rng.shuffle(&values)
  return Tensor(shape: shape, scalars: values)
}

@Suite("Pooling")
struct PoolingTests {
  @Test("max pooling: finite-difference gradients", arguments: [
    (Size2D(2), Size2D(2), Size2D(0), Size2D(1), false),
    (Size2D(3), Size2D(2), Size2D(1), Size2D(1), false),
    (Size2D(3), Size2D(2), Size2D(1), Size2D(1), true),
    (Size2D(3), Size2D(1), Size2D(1), Size2D(2), false),
    (Size2D(2, 3), Size2D(1, 2), Size2D(1, 1), Size2D(1), true),
  ])
  func maxGradients(k: Size2D, s: Size2D, p: Size2D, d: Size2D, ceil: Bool) {
    let x = distinctValues([2, 2, 7, 8], seed: 1)
    let r = GradientCheck.check([x], maxProbes: 112) {
      $0[0].maxPool2d(kernelSize: k, stride: s, padding: p, dilation: d, ceilMode: ceil)
    }
    #expect(r.passed, "\(r)")
  }

  @Test("average pooling: finite-difference gradients", arguments: [
    (Size2D(2), Size2D(2), Size2D(0), false, true),
    (Size2D(3), Size2D(2), Size2D(1), false, true),
    (Size2D(3), Size2D(2), Size2D(1), true, false),
    (Size2D(3), Size2D(2), Size2D(1), true, true),
    (Size2D(2, 3), Size2D(1, 2), Size2D(1, 1), false, false),
  ])
  func avgGradients(k: Size2D, s: Size2D, p: Size2D, ceil: Bool, includePad: Bool) {
    let x = randomTensor([2, 2, 7, 8], seed: 2)
    let r = GradientCheck.check([x]) {
      $0[0].avgPool2d(kernelSize: k, stride: s, padding: p, ceilMode: ceil, countIncludePad: includePad)
    }
    #expect(r.passed, "\(r)")
  }

  @Test("adaptive average pooling: finite-difference gradients", arguments: [
    Size2D(3, 4), Size2D(1), Size2D(7, 5), Size2D(4, 4),
  ])
  func adaptiveGradients(size: Size2D) {
    let x = randomTensor([2, 2, 5, 7], seed: 3)
    let r = GradientCheck.check([x]) { $0[0].adaptiveAvgPool2d(outputSize: size) }
    #expect(r.passed, "\(r)")
  }

  @Test("max pooling propagates NaN and routes its gradient to the NaN, as PyTorch does")
  func maxPoolNaN() {
    var x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 5, 2, 3, .nan, 0, 7, 1])
    x = x.requiringGrad()
    let y = x.maxPool2d(kernelSize: 2)
    #expect(y[0, 0, 0, 0].isNaN && y[0, 0, 0, 1] == 7)
    let g = Autograd.gradients(of: [y], seeds: [Tensor(shape: [1, 1, 1, 2], scalars: [1, 1])], wrt: [x])[0]!
    #expect(g.scalars == [0, 0, 0, 0, 1, 0, 1, 0])
  }

  @Test("divisorOverride divides every window by the given count")
  func divisorOverride() {
    let x = randomTensor([1, 1, 4, 4], seed: 4)
    let a = x.avgPool2d(kernelSize: 2, padding: 1, divisorOverride: 3)
    let sums = x.avgPool2d(kernelSize: 2, padding: 1, divisorOverride: 1)
    #expect(Closeness.mismatch(a * 3, sums, rtol: 1e-6, atol: 1e-7) == nil)
    let r = GradientCheck.check([x]) { $0[0].avgPool2d(kernelSize: 2, padding: 1, divisorOverride: 3) }
    #expect(r.passed, "\(r)")
  }

  static func check(_ f: SafetensorsArchive, _ name: String, _ op: (Tensor, [Float]) -> Tensor) throws {
    let config = try f.tensor("\(name).config").scalars
    let x = try f.tensor("\(name).x").requiringGrad()
    let y = op(x, config)
    #expect(Closeness.mismatch(y, try f.tensor("\(name).y"), rtol: 1e-4, atol: 1e-6) == nil, "\(name) y")
    let gx = Autograd.gradients(of: [y], seeds: [try f.tensor("\(name).gy")], wrt: [x])[0]!
    #expect(Closeness.mismatch(gx, try f.tensor("\(name).gx"), rtol: 1e-4, atol: 1e-6) == nil, "\(name) gx")
  }

  @Test("max pooling: PyTorch fixtures (incl. ceil mode, dilation and ties)", arguments: [
    "max_k2s2", "max_k3s2p1", "max_k3s2p1_ceil", "max_k3s1d2", "max_k2x3s1x2_ties",
  ])
  func maxFixture(name: String) throws {
    try Self.check(try Fixtures.load("conv_pool"), name) { x, c in
      let i = c.map { Int($0) }
      return x.maxPool2d(
        kernelSize: Size2D(i[0], i[1]), stride: Size2D(i[2], i[3]), padding: Size2D(i[4], i[5]),
        dilation: Size2D(i[6], i[7]), ceilMode: i[8] == 1)
    }
  }

  @Test("average pooling: PyTorch fixtures", arguments: [
    "avg_k2s2", "avg_k3s2p1", "avg_k3s2p1_nopad", "avg_k3s2p1_ceil", "avg_k3s2p1_ceil_nopad", "avg_k2x3s1x2p1",
  ])
  func avgFixture(name: String) throws {
    try Self.check(try Fixtures.load("conv_pool"), name) { x, c in
      let i = c.map { Int($0) }
      return x.avgPool2d(
        kernelSize: Size2D(i[0], i[1]), stride: Size2D(i[2], i[3]), padding: Size2D(i[4], i[5]),
        ceilMode: i[6] == 1, countIncludePad: i[7] == 1)
    }
  }

  @Test("adaptive average pooling: PyTorch fixtures", arguments: [
    "adaptive_5x7_to_3x4", "adaptive_6x6_to_4x4", "adaptive_global", "adaptive_up_3x2_to_5x4",
  ])
  func adaptiveFixture(name: String) throws {
    try Self.check(try Fixtures.load("conv_pool"), name) { x, c in
      x.adaptiveAvgPool2d(outputSize: Size2D(Int(c[0]), Int(c[1])))
    }
  }
}
