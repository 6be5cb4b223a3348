@testable import AuxEngine
import AuxTestSupport
import Testing

/// 3×3 stride-1 convolutions with at least 16 input and output channels run through Winograd
/// F(2×2, 3×3); these tests pin it to the direct convolution.
@Suite("Winograd 3x3")
struct WinogradTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var h: Int, w: Int, padding: Size2D, dilation: Size2D
    var testDescription: String { "\(h)x\(w) p\(padding) d\(dilation)" }
  }

  static let cases: [Case] = [
    Case(h: 8, w: 8, padding: 1, dilation: 1), Case(h: 9, w: 7, padding: 1, dilation: 1),
    Case(h: 7, w: 10, padding: 0, dilation: 1), Case(h: 6, w: 5, padding: 2, dilation: 1),
    Case(h: 10, w: 11, padding: 2, dilation: 2), Case(h: 9, w: 12, padding: [1, 3], dilation: [2, 3]),
    Case(h: 13, w: 9, padding: 0, dilation: 2), Case(h: 5, w: 6, padding: 3, dilation: 1),
    Case(h: 21, w: 19, padding: 1, dilation: 1), Case(h: 3, w: 3, padding: 0, dilation: 1),
  ]

  @Test("Winograd is used only where at least half of the tiles' outputs are real")
  func tileEfficiencyRule() {
    func uses(_ side: Int, dilation: Int) -> Bool {
      let g = WindowGeometry(
        input: Size2D(side, side), kernel: 3, stride: 1, padding: Size2D(dilation, dilation),
        dilation: Size2D(dilation, dilation), op: "test")
      return ConvKernels.usesWinograd(g, inputs: 64, outputs: 64)
    }
    #expect(ConvKernels.tileEfficiency(outputs: 8, dilation: 1) == 1)
    #expect(ConvKernels.tileEfficiency(outputs: 7, dilation: 1) == 7.0 / 8)
    #expect(ConvKernels.tileEfficiency(outputs: 8, dilation: 4) == 1)  // pairs (a, a + 4)
    #expect(ConvKernels.tileEfficiency(outputs: 8, dilation: 12) == 0.5)  // one real output per tile
    #expect(uses(8, dilation: 1) && uses(8, dilation: 2) && uses(8, dilation: 4))
    #expect(!uses(8, dilation: 12) && !uses(8, dilation: 36))  // ASPP rates on an OS8 map of 64×64
  }

  @Test("forward agrees with a direct convolution", arguments: cases)
  func forward(c: Case) {
    let x = randomTensor([3, 16, c.h, c.w], seed: 31)
    let w = randomTensor([17, 16, 3, 3], seed: 32, scale: 0.3)
    let b = randomTensor([17], seed: 33)
    let geometry = WindowGeometry(
      input: Size2D(c.h, c.w), kernel: 3, stride: 1, padding: c.padding, dilation: c.dilation, op: "test")
    // A 3×3 input without padding has a 1×1 output: a quarter of a tile, so im2col computes it.
    #expect(ConvKernels.usesWinograd(geometry, inputs: 16, outputs: 17) == (c.h > 3))
    let y = x.conv2d(weight: w, bias: b, padding: c.padding, dilation: c.dilation)
    let ref = naiveConv2d(x, w, b, stride: 1, padding: c.padding, dilation: c.dilation)
    #expect(Closeness.mismatch(y, ref, rtol: 1e-4, atol: 1e-5) == nil)
  }

  @Test("input, weight and bias gradients agree with the im2col path", arguments: cases)
  func backward(c: Case) {
    let x = randomTensor([3, 16, c.h, c.w], seed: 35)
    let w = randomTensor([17, 16, 3, 3], seed: 36, scale: 0.3)
    let g = WindowGeometry(
      input: Size2D(c.h, c.w), kernel: 3, stride: 1, padding: c.padding, dilation: c.dilation, op: "test")
    let gy = randomTensor([3, 17, g.outputHeight, g.outputWidth], seed: 37)
    let fast = ConvKernels.backward(gy, input: x, weight: w, geometry: g, needInput: true, needWeight: true, needBias: true)
    // A fixed band height forces im2col + col2im.
    let ref = ConvKernels.backward(
      gy, input: x, weight: w, geometry: g, needInput: true, needWeight: true, needBias: true, band: g.outputHeight,
      tasks: 1)
    #expect(Closeness.mismatch(fast.input!, ref.input!, rtol: 1e-4, atol: 1e-5) == nil, "dx")
    #expect(Closeness.mismatch(fast.weight!, ref.weight!, rtol: 1e-4, atol: 1e-5) == nil, "dw")
    #expect(Closeness.mismatch(fast.bias!, ref.bias!, rtol: 1e-4, atol: 1e-5) == nil, "db")
  }

  @Test("a batch spread over several chunks and tasks matches the im2col path")
  func chunks() {
    // 24×24 outputs give 144 tiles per image, more than a chunk (128): one image per chunk.
    let x = randomTensor([5, 16, 24, 24], seed: 40)
    let w = randomTensor([16, 16, 3, 3], seed: 41, scale: 0.3)
    let b = randomTensor([16], seed: 42)
    let g = WindowGeometry(input: Size2D(24, 24), kernel: 3, stride: 1, padding: 1, dilation: 1, op: "test")
    #expect(Winograd3x3.Plan(input: Size2D(24, 24), padding: 1, dilation: 1).tilesPerImage > ConvKernels.winogradChunkTiles)
    var y = Tensor.zeros([5, 16, 24, 24])
    var ref = Tensor.zeros([5, 16, 24, 24])
    ConvKernels.forward(x, weight: w, bias: b, geometry: g, into: &y, band: nil, tasks: 2)
    ConvKernels.forward(x, weight: w, bias: b, geometry: g, into: &ref, band: 24, tasks: 1)
    #expect(Closeness.mismatch(y, ref, rtol: 1e-4, atol: 1e-5) == nil, "y")
    let gy = randomTensor([5, 16, 24, 24], seed: 43)
    let fast = ConvKernels.backward(
      gy, input: x, weight: w, geometry: g, needInput: true, needWeight: true, needBias: true, band: nil, tasks: 2)
    let slow = ConvKernels.backward(
      gy, input: x, weight: w, geometry: g, needInput: true, needWeight: true, needBias: true, band: 24, tasks: 1)
    #expect(Closeness.mismatch(fast.input!, slow.input!, rtol: 1e-4, atol: 1e-5) == nil, "dx")
    #expect(Closeness.mismatch(fast.weight!, slow.weight!, rtol: 1e-4, atol: 1e-4) == nil, "dw")
    #expect(Closeness.mismatch(fast.bias!, slow.bias!, rtol: 1e-4, atol: 1e-4) == nil, "db")
  }

  @Test("finite-difference gradients through the Winograd path")
  func finiteDifferences() {
    let x = randomTensor([2, 16, 6, 7], seed: 38)
    let w = randomTensor([16, 16, 3, 3], seed: 39, scale: 0.3)
    let r = GradientCheck.check([x, w], maxProbes: 64) { $0[0].conv2d(weight: $0[1], padding: 2, dilation: 2) }
    #expect(r.passed, "\(r)")
  }

  @Test("the weight transform of the adjoint is the transform of the flipped, transposed kernel")
  func adjointWeights() {
    let w = randomTensor([3, 2, 3, 3], seed: 34)
    var flipped = [Float](repeating: 0, count: 54)
    let ws = w.scalars
    for o in 0..<3 {
      for c in 0..<2 {
        for i in 0..<3 {
          for j in 0..<3 { flipped[((c * 3 + o) * 3 + i) * 3 + j] = ws[((o * 2 + c) * 3 + 2 - i) * 3 + 2 - j] }
        }
      }
    }
    let direct = ConvKernels.winogradWeights(Tensor(shape: [2, 3, 3, 3], scalars: flipped), transposed: false)
    let adjoint = ConvKernels.winogradWeights(w, transposed: true)
    #expect(direct.scalars == adjoint.scalars)
  }
}
