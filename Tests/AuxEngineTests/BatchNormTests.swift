import AuxEngine
import AuxIO
import AuxTestSupport
import Testing

@Suite("Batch norm 2d")
struct BatchNormTests {
  @Test("training mode: finite-difference gradients through the batch statistics")
  func trainingGradients() {
    let x = randomTensor([3, 2, 4, 5], seed: 1, scale: 2) + 1
    let w = randomTensor([2], seed: 2) + 1.5
    let b = randomTensor([2], seed: 3)
    let r = GradientCheck.check([x, w, b], maxProbes: 60) { $0[0].batchNorm2d(weight: $0[1], bias: $0[2]) }
    #expect(r.passed, "\(r)")
    let plain = GradientCheck.check([x]) { $0[0].batchNorm2d() }
    #expect(plain.passed, "no affine: \(plain)")
  }

  @Test("evaluation mode: finite-difference gradients with running statistics as constants")
  func evalGradients() {
    let x = randomTensor([2, 3, 3, 4], seed: 4)
    let w = randomTensor([3], seed: 5) + 1.5
    let b = randomTensor([3], seed: 6)
    let r = GradientCheck.check([x, w, b]) { t in
      var mean = Tensor([0.1, -0.2, 0.3])
      var variance = Tensor([0.5, 1.5, 2.0])
      let y = t[0].batchNorm2d(weight: t[1], bias: t[2], runningMean: &mean, runningVariance: &variance, training: false)
      precondition(mean.scalars == [0.1, -0.2, 0.3], "eval must not touch the running mean")
      return y
    }
    #expect(r.passed, "\(r)")
  }

  @Test("statistics are accurate for data far from zero")
  func offsetData() {
    // Values 1000 + small noise: the naive E[x²] − E[x]² formula loses every digit in Float, and
    // PyTorch's x·scale + (bias − mean·scale) rounds outputs to multiples of 1/64 here. What remains
    // is the rounding of the mean itself to Float (≈ 3e-5 / 0.006 ≈ 0.005 in normalised units).
    // (x − 1000 is exact in Float, so both inputs hold the same quantised noise.)
    let x = randomTensor([4, 1, 8, 8], seed: 7, scale: 0.01) + 1000
    let y = x.batchNorm2d()
    let ref = (x - 1000).batchNorm2d()
    #expect(Closeness.mismatch(y, ref, rtol: 1e-2, atol: 1e-2) == nil)
  }

  @Test("a large input (split over threads) matches a Double-precision reference, forward and backward")
  func largeInputReference() {
    let (N, C, H, W) = (4, 6, 60, 50)  // 72 000 elements: above the threshold for splitting channels
    let x = randomTensor([N, C, H, W], seed: 8, scale: 3) + 0.5
    let gamma = randomTensor([C], seed: 9) + 1.2
    let beta = randomTensor([C], seed: 10)
    let gy = randomTensor([N, C, H, W], seed: 11)
    let xl = x.requiringGrad()
    let y = xl.batchNorm2d(weight: gamma, bias: beta)
    let gx = Autograd.gradients(of: [y], seeds: [gy], wrt: [xl])[0]!
    let (xs, gs, g, b) = (x.scalars, gy.scalars, gamma.scalars, beta.scalars)
    var yRef = [Float](repeating: 0, count: xs.count)
    var gxRef = [Float](repeating: 0, count: xs.count)
    let M = Double(N * H * W)
    for c in 0..<C {
      var idx: [Int] = []
      for n in 0..<N { idx += Array(((n * C + c) * H * W)..<((n * C + c + 1) * H * W)) }
      var sum = 0.0
      for i in idx { sum += Double(xs[i]) }
      let mean = sum / M
      var sq = 0.0
      for i in idx {
        let d = Double(xs[i]) - mean
        sq += d * d
      }
      let invstd = 1 / (sq / M + 1e-5).squareRoot()
      var sumDy = 0.0
      var sumDyXhat = 0.0
      for i in idx {
        let dy = Double(gs[i])
        sumDy += dy
        sumDyXhat += dy * (Double(xs[i]) - mean) * invstd
      }
      let gc = Double(g[c])
      for i in idx {
        let xhat = (Double(xs[i]) - mean) * invstd
        yRef[i] = Float(xhat * gc + Double(b[c]))
        let dx: Double = gc * invstd * (Double(gs[i]) - sumDy / M - xhat * sumDyXhat / M)
        gxRef[i] = Float(dx)
      }
    }
    #expect(Closeness.mismatch(y, Tensor(shape: x.shape, scalars: yRef), rtol: 1e-4, atol: 1e-5) == nil, "y")
    #expect(Closeness.mismatch(gx, Tensor(shape: x.shape, scalars: gxRef), rtol: 1e-4, atol: 1e-5) == nil, "gx")
  }

  @Test("PyTorch fixtures: two training steps (outputs, gradients, running statistics)", arguments: [
    "train", "train_noaffine",
  ])
  func trainFixture(name: String) throws {
    let f = try Fixtures.load("conv_batchnorm")
    let affine = f.tensors["\(name).weight"] != nil
    let w = affine ? try f.tensor("\(name).weight").requiringGrad() : nil
    let b = affine ? try f.tensor("\(name).bias").requiringGrad() : nil
    var mean = try f.tensor("\(name).running_mean0")
    var variance = try f.tensor("\(name).running_var0")
    for step in 1...2 {
      let p = "\(name).step\(step)"
      let x = try f.tensor("\(p).x").requiringGrad()
      let y = x.batchNorm2d(weight: w, bias: b, runningMean: &mean, runningVariance: &variance, training: true)
      #expect(Closeness.mismatch(y, try f.tensor("\(p).y"), rtol: 1e-4, atol: 1e-5) == nil, "\(p) y")
      #expect(Closeness.mismatch(mean, try f.tensor("\(p).running_mean"), rtol: 1e-4, atol: 1e-6) == nil, "\(p) running_mean")
      #expect(Closeness.mismatch(variance, try f.tensor("\(p).running_var"), rtol: 1e-4, atol: 1e-6) == nil, "\(p) running_var")
      let grads = Autograd.gradients(of: [y], seeds: [try f.tensor("\(p).gy")], wrt: [x] + (affine ? [w!, b!] : []))
      #expect(Closeness.mismatch(grads[0]!, try f.tensor("\(p).gx"), rtol: 1e-4, atol: 1e-5) == nil, "\(p) gx")
      if affine {
        #expect(Closeness.mismatch(grads[1]!, try f.tensor("\(p).gweight"), rtol: 1e-4, atol: 1e-5) == nil, "\(p) gweight")
        #expect(Closeness.mismatch(grads[2]!, try f.tensor("\(p).gbias"), rtol: 1e-4, atol: 1e-5) == nil, "\(p) gbias")
      }
    }
  }

  @Test("PyTorch fixture: evaluation mode")
  func evalFixture() throws {
    let f = try Fixtures.load("conv_batchnorm")
    let x = try f.tensor("eval.x").requiringGrad()
    let w = try f.tensor("eval.weight").requiringGrad()
    let b = try f.tensor("eval.bias").requiringGrad()
    var mean = try f.tensor("eval.running_mean")
    var variance = try f.tensor("eval.running_var")
    let y = x.batchNorm2d(weight: w, bias: b, runningMean: &mean, runningVariance: &variance, training: false)
    #expect(Closeness.mismatch(y, try f.tensor("eval.y"), rtol: 1e-4, atol: 1e-5) == nil, "y")
    #expect(mean.scalars == (try f.tensor("eval.running_mean")).scalars, "eval changed the running mean")
    let grads = Autograd.gradients(of: [y], seeds: [try f.tensor("eval.gy")], wrt: [x, w, b])
    #expect(Closeness.mismatch(grads[0]!, try f.tensor("eval.gx"), rtol: 1e-4, atol: 1e-5) == nil, "gx")
    #expect(Closeness.mismatch(grads[1]!, try f.tensor("eval.gweight"), rtol: 1e-4, atol: 1e-5) == nil, "gweight")
    #expect(Closeness.mismatch(grads[2]!, try f.tensor("eval.gbias"), rtol: 1e-4, atol: 1e-5) == nil, "gbias")
  }
}
