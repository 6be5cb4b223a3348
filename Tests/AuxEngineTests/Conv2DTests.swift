@testable import AuxEngine
import AuxIO
import AuxTestSupport
import Testing

/// A conv geometry for parameterised tests.
struct ConvGeometryCase: CustomTestStringConvertible, Sendable {
  var kernel: Int, stride: Int, padding: Int, dilation: Int
  var testDescription: String { "k\(kernel) s\(stride) p\(padding) d\(dilation)" }

  /// stride {1, 2} × padding {0, 1, 2} × dilation {1, 2} × kernel {1, 3, 5}.
  static let sweep: [ConvGeometryCase] = [1, 3, 5].flatMap { k in
    [1, 2].flatMap { s in
      [0, 1, 2].flatMap { p in [1, 2].map { d in ConvGeometryCase(kernel: k, stride: s, padding: p, dilation: d) } }
    }
  }
}

/// Direct 7-loop convolution, the test oracle for im2col + sgemm.
func naiveConv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Size2D, padding: Size2D, dilation: Size2D) -> Tensor {
  let (N, C, H, W) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  let (O, kH, kW) = (w.shape[0], w.shape[2], w.shape[3])
  let OH = (H + 2 * padding.height - dilation.height * (kH - 1) - 1) / stride.height + 1
  let OW = (W + 2 * padding.width - dilation.width * (kW - 1) - 1) / stride.width + 1
  let xs = x.scalars, ws = w.scalars, bs = b?.scalars
  var y = [Float](repeating: 0, count: N * O * OH * OW)
  for n in 0..<N {
    for o in 0..<O {
      for oh in 0..<OH {
        for ow in 0..<OW {
          var acc = Double(bs?[o] ?? 0)
          for c in 0..<C {
            for i in 0..<kH {
              for j in 0..<kW {
                let ih = oh * stride.height - padding.height + i * dilation.height
                let iw = ow * stride.width - padding.width + j * dilation.width
                guard ih >= 0, ih < H, iw >= 0, iw < W else { continue }
                acc += Double(xs[((n * C + c) * H + ih) * W + iw]) * Double(ws[((o * C + c) * kH + i) * kW + j])
              }
            }
          }
          y[((n * O + o) * OH + oh) * OW + ow] = Float(acc)
        }
      }
    }
  }
  return Tensor(shape: [N, O, OH, OW], scalars: y)
}

func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in (rng.nextUniform() * 2 - 1) * scale })
}

@Suite("conv2d")
struct Conv2DTests {
  @Test("forward matches a direct convolution", arguments: ConvGeometryCase.sweep)
  func forwardMatchesDirect(g: ConvGeometryCase) {
    let x = randomTensor([2, 3, 11, 10], seed: 1)
    let w = randomTensor([4, 3, g.kernel, g.kernel], seed: 2)
    let b = randomTensor([4], seed: 3)
    let geometry = (stride: Size2D(g.stride), padding: Size2D(g.padding), dilation: Size2D(g.dilation))
    let y = x.conv2d(weight: w, bias: b, stride: geometry.stride, padding: geometry.padding, dilation: geometry.dilation)
    let ref = naiveConv2d(x, w, b, stride: geometry.stride, padding: geometry.padding, dilation: geometry.dilation)
    #expect(Closeness.mismatch(y, ref, rtol: 1e-4, atol: 1e-5) == nil)
  }

  @Test("finite-difference gradients of input, weight and bias", arguments: ConvGeometryCase.sweep)
  func gradients(g: ConvGeometryCase) {
    let x = randomTensor([2, 2, 10, 9], seed: 4)
    let w = randomTensor([3, 2, g.kernel, g.kernel], seed: 5)
    let b = randomTensor([3], seed: 6)
    let r = GradientCheck.check([x, w, b]) {
      $0[0].conv2d(weight: $0[1], bias: $0[2], stride: Size2D(g.stride), padding: Size2D(g.padding), dilation: Size2D(g.dilation))
    }
    #expect(r.passed, "\(r)")
  }

  @Test("rectangular kernel, stride, padding and dilation: gradients")
  func rectangularGradients() {
    let x = randomTensor([2, 3, 9, 8], seed: 7)
    let w = randomTensor([2, 3, 3, 2], seed: 8)
    let r = GradientCheck.check([x, w]) {
      $0[0].conv2d(weight: $0[1], stride: [2, 1], padding: [1, 2], dilation: [2, 3])
    }
    #expect(r.passed, "\(r)")
  }

  @Test("the input gradient is skipped when the input is constant; weight and bias gradients are unchanged")
  func skipsInputGradient() {
    let x = randomTensor([2, 3, 8, 8], seed: 9)
    let w = randomTensor([4, 3, 3, 3], seed: 10).requiringGrad()
    let b = randomTensor([4], seed: 11).requiringGrad()
    let gy = randomTensor([2, 4, 8, 8], seed: 12)
    let y1 = x.conv2d(weight: w, bias: b, padding: 1)
    let g1 = Autograd.gradients(of: [y1], seeds: [gy], wrt: [w, b])
    let xl = x.requiringGrad()
    let y2 = xl.conv2d(weight: w, bias: b, padding: 1)
    let g2 = Autograd.gradients(of: [y2], seeds: [gy], wrt: [xl, w, b])
    #expect(Closeness.mismatch(g1[0]!, g2[1]!, rtol: 1e-6, atol: 0) == nil)
    #expect(Closeness.mismatch(g1[1]!, g2[2]!, rtol: 1e-6, atol: 0) == nil)
    #expect(g2[0] != nil)
  }

  @Test("PyTorch fixtures: forward and backward", arguments: [
    "k3s1p1", "k3s2p1", "k3s1p2d2", "k3s2p0d2", "k1s1p0", "k1s2p0", "k1s1p1", "k5x3s2x1p2x0d1x2", "k3s3p1",
    "wide_k3s1p1", "wide_k3s1p2d2", "wide_k3s1p0",
  ])
  func fixture(name: String) throws {
    let f = try Fixtures.load("conv_conv2d")
    let config = try f.tensor("\(name).config").scalars.map { Int($0) }
    let hasBias = config[6] == 1
    let x = try f.tensor("\(name).x").requiringGrad()
    let w = try f.tensor("\(name).w").requiringGrad()
    let b = hasBias ? try f.tensor("\(name).b").requiringGrad() : nil
    let y = x.conv2d(
      weight: w, bias: b, stride: Size2D(config[0], config[1]), padding: Size2D(config[2], config[3]),
      dilation: Size2D(config[4], config[5]))
    #expect(Closeness.mismatch(y, try f.tensor("\(name).y"), rtol: 1e-4, atol: 1e-5) == nil, "y")
    let grads = Autograd.gradients(of: [y], seeds: [try f.tensor("\(name).gy")], wrt: [x, w] + (b.map { [$0] } ?? []))
    #expect(Closeness.mismatch(grads[0]!, try f.tensor("\(name).gx"), rtol: 1e-4, atol: 1e-5) == nil, "gx")
    #expect(Closeness.mismatch(grads[1]!, try f.tensor("\(name).gw"), rtol: 1e-4, atol: 1e-5) == nil, "gw")
    if hasBias {
      #expect(Closeness.mismatch(grads[2]!, try f.tensor("\(name).gb"), rtol: 1e-4, atol: 1e-5) == nil, "gb")
    }
  }

  @Test("bands of output rows and several tasks give the same results as one whole-image pass", arguments: [
    ConvGeometryCase(kernel: 3, stride: 1, padding: 1, dilation: 1), ConvGeometryCase(kernel: 3, stride: 2, padding: 2, dilation: 2),
    ConvGeometryCase(kernel: 1, stride: 1, padding: 0, dilation: 1), ConvGeometryCase(kernel: 5, stride: 2, padding: 1, dilation: 1),
  ])
  func bandsAndTasks(c: ConvGeometryCase) {
    let x = randomTensor([5, 3, 13, 11], seed: 15)
    let w = randomTensor([4, 3, c.kernel, c.kernel], seed: 16)
    let b = randomTensor([4], seed: 17)
    let g = WindowGeometry(
      input: Size2D(13, 11), kernel: Size2D(c.kernel), stride: Size2D(c.stride), padding: Size2D(c.padding),
      dilation: Size2D(c.dilation), op: "test")
    var whole = Tensor.zeros([5, 4, g.outputHeight, g.outputWidth])
    ConvKernels.forward(x, weight: w, bias: b, geometry: g, into: &whole, band: g.outputHeight, tasks: 1)
    let gy = randomTensor(whole.shape, seed: 18)
    let ref = ConvKernels.backward(gy, input: x, weight: w, geometry: g, needInput: true, needWeight: true, needBias: true, band: g.outputHeight, tasks: 1)
    for (band, tasks) in [(1, 1), (2, 3), (3, 2), (g.outputHeight, 5)] {
      var y = Tensor.zeros(whole.shape)
      ConvKernels.forward(x, weight: w, bias: b, geometry: g, into: &y, band: band, tasks: tasks)
      #expect(Closeness.mismatch(y, whole, rtol: 1e-5, atol: 1e-6) == nil, "forward band \(band) tasks \(tasks)")
      let r = ConvKernels.backward(gy, input: x, weight: w, geometry: g, needInput: true, needWeight: true, needBias: true, band: band, tasks: tasks)
      #expect(Closeness.mismatch(r.input!, ref.input!, rtol: 1e-5, atol: 1e-6) == nil, "dx band \(band) tasks \(tasks)")
      #expect(Closeness.mismatch(r.weight!, ref.weight!, rtol: 1e-5, atol: 1e-5) == nil, "dw band \(band) tasks \(tasks)")
      #expect(Closeness.mismatch(r.bias!, ref.bias!, rtol: 1e-5, atol: 1e-5) == nil, "db band \(band) tasks \(tasks)")
    }
  }

  @Test("convolutions running on several threads at once leave the OpenBLAS thread count as it was")
  func overlappingBLASSections() {
    let before = Parallel.blasBaseline
    let x = randomTensor([4, 16, 12, 12], seed: 44).requiringGrad()
    let w = randomTensor([16, 16, 3, 3], seed: 45)
    let w1 = randomTensor([8, 16, 3, 3], seed: 46)
    Parallel.run(8) { i in
      // Winograd (16 → 16) and im2col (stride 2) paths, forward and backward.
      let y = i % 2 == 0 ? x.conv2d(weight: w, padding: 1) : x.conv2d(weight: w1, stride: 2, padding: 1)
      _ = Autograd.gradients(of: [y.sum()], wrt: [x])
    }
    #expect(Parallel.blasBaseline == before)
  }

  @Test("col2im is the adjoint of im2col")
  func foldUnfoldAdjoint() {
    // ⟨unfold(x), c⟩ = ⟨x, fold(c)⟩ for random x and c: the two kernels are adjoint.
    let g = WindowGeometry(input: Size2D(7, 9), kernel: [3, 2], stride: [2, 1], padding: [1, 2], dilation: [2, 1], op: "test")
    let C = 2
    let x = randomTensor([C, 7, 9], seed: 13)
    let c = randomTensor([C * g.taps, g.outputPlane], seed: 14)
    var cols = Tensor.zeros([C * g.taps, g.outputPlane])
    var folded = Tensor.zeros([C, 7, 9])
    x.withUnsafeBufferPointer { xp in
      cols.withUnsafeMutableBufferPointer { Im2Col.unfold(xp.baseAddress!, channels: C, geometry: g, into: $0.baseAddress!) }
    }
    c.withUnsafeBufferPointer { cp in
      folded.withUnsafeMutableBufferPointer { Im2Col.fold(cp.baseAddress!, channels: C, geometry: g, into: $0.baseAddress!) }
    }
    let lhs = zip(cols.scalars, c.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let rhs = zip(x.scalars, folded.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(Swift.abs(lhs - rhs) < 1e-4 * Swift.max(1, Swift.abs(lhs)), "⟨unfold x, c⟩ = \(lhs), ⟨x, fold c⟩ = \(rhs)")
  }
}
