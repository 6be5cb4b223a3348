import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import Testing

extension Tensor {
  /// Channel 0 of a `[N, C, P]` tensor as `[N, 1, 16, 16]` (test helper).
  fileprivate func gatherRowsAlongChannel0() -> Tensor {
    let n = shape[0]
    let rows = reshaped([n * shape[1], shape[2]]).gatherRows((0..<n).map { $0 * shape[1] })
    return rows.reshaped([n, 1, 16, 16])
  }
}

@Suite("Conv, batch-norm, pooling and upsampling layers")
struct ConvLayerTests {
  @Test("Conv2d: PyTorch names, shapes and default initialisation bounds")
  func conv2dInit() {
    var rng = RandomGenerator(seed: 1)
    let conv = Conv2d(16, 32, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
    #expect(conv.namedParameters().map(\.0) == ["weight", "bias"])
    #expect(conv.weight.shape == [32, 16, 3, 3] && conv.bias!.shape == [32])
    let bound = 1 / Float(16 * 9).squareRoot()  // kaiming_uniform(a=√5) and the bias bound coincide
    let w = conv.weight.value.scalars
    #expect(w.allSatisfy { Swift.abs($0) <= bound })
    // U(−b, b) has standard deviation b/√3; 4608 draws pin it within a few percent.
    let std = (w.reduce(0) { $0 + $1 * $1 } / Float(w.count)).squareRoot()
    #expect(Swift.abs(std - bound / Float(3).squareRoot()) < 0.05 * bound, "weight std \(std), bound \(bound)")
    #expect(conv.bias!.value.scalars.allSatisfy { Swift.abs($0) <= bound })
    #expect(Conv2d(3, 4, kernelSize: [1, 3], bias: false, rng: &rng).namedParameters().map(\.0) == ["weight"])
  }

  @Test("Conv2d applies conv2d with its geometry")
  func conv2dForward() {
    var rng = RandomGenerator(seed: 2)
    let conv = Conv2d(3, 5, kernelSize: [3, 1], stride: [1, 2], padding: [2, 0], dilation: 2, rng: &rng)
    let x = Initializers.normal([2, 3, 8, 7], using: &rng)
    let y = conv(x)
    let ref = x.conv2d(weight: conv.weight.value, bias: conv.bias!.value, stride: [1, 2], padding: [2, 0], dilation: 2)
    #expect(y.shape == [2, 5, 8, 4])
    #expect(y.scalars == ref.scalars)
  }

  @Test("BatchNorm2d: PyTorch names, defaults and an integer num_batches_tracked")
  func batchNormState() {
    let bn = BatchNorm2d(3)
    #expect(bn.namedParameters().map(\.0) == ["weight", "bias"])
    #expect(bn.namedBuffers().map(\.0) == ["running_mean", "running_var", "num_batches_tracked"])
    #expect(bn.weight!.value.scalars == [1, 1, 1] && bn.bias!.value.scalars == [0, 0, 0])
    #expect(bn.runningMean!.value.scalars == [0, 0, 0] && bn.runningVariance!.value.scalars == [1, 1, 1])
    #expect(bn.batchesTracked!.value.shape == [] && bn.batchesTracked!.storedAsInteger)
    #expect(bn.stateArchive().dtypes["num_batches_tracked"] == .i64)
    let plain = BatchNorm2d(3, affine: false, trackRunningStatistics: false)
    #expect(plain.namedParameters().isEmpty && plain.namedBuffers().isEmpty)
  }

  @Test("BatchNorm2d: two training steps and the buffers match PyTorch", arguments: ["train", "train_cumulative"])
  func batchNormTraining(name: String) throws {
    let f = try Fixtures.load("conv_batchnorm")
    let bn = BatchNorm2d(3, momentum: name == "train_cumulative" ? nil : 0.1)
    try bn.loadStateDict([
      "weight": try f.tensor("\(name).weight"), "bias": try f.tensor("\(name).bias"),
      "running_mean": try f.tensor("\(name).running_mean0"), "running_var": try f.tensor("\(name).running_var0"),
      "num_batches_tracked": Tensor(0),
    ])
    bn.train()
    for step in 1...2 {
      let p = "\(name).step\(step)"
      bn.zeroGrad()
      let x = try f.tensor("\(p).x").requiringGrad()
      let y = bn(x)
      #expect(Closeness.mismatch(y, try f.tensor("\(p).y"), rtol: 1e-4, atol: 1e-5) == nil, "\(p) y")
      let gx = Autograd.gradients(of: [y], seeds: [try f.tensor("\(p).gy")], wrt: [x], retainGraph: true)[0]!
      y.backward(try f.tensor("\(p).gy"))
      #expect(Closeness.mismatch(gx, try f.tensor("\(p).gx"), rtol: 1e-4, atol: 1e-5) == nil, "\(p) gx")
      #expect(Closeness.mismatch(bn.weight!.grad!, try f.tensor("\(p).gweight"), rtol: 1e-4, atol: 1e-5) == nil, "\(p) gweight")
      #expect(Closeness.mismatch(bn.bias!.grad!, try f.tensor("\(p).gbias"), rtol: 1e-4, atol: 1e-5) == nil, "\(p) gbias")
      #expect(Closeness.mismatch(bn.runningMean!.value, try f.tensor("\(p).running_mean"), rtol: 1e-4, atol: 1e-6) == nil, "\(p) mean")
      #expect(Closeness.mismatch(bn.runningVariance!.value, try f.tensor("\(p).running_var"), rtol: 1e-4, atol: 1e-6) == nil, "\(p) var")
      #expect(bn.batchesTracked!.value.item == (try f.tensor("\(p).num_batches_tracked")).item)
    }
  }

  @Test("BatchNorm2d: evaluation uses the running statistics and leaves them unchanged")
  func batchNormEval() throws {
    let f = try Fixtures.load("conv_batchnorm")
    let bn = BatchNorm2d(4)
    try bn.loadStateDict([
      "weight": try f.tensor("eval.weight"), "bias": try f.tensor("eval.bias"),
      "running_mean": try f.tensor("eval.running_mean"), "running_var": try f.tensor("eval.running_var"),
      "num_batches_tracked": Tensor(5),
    ])
    bn.eval()
    let y = bn(try f.tensor("eval.x"))
    #expect(Closeness.mismatch(y, try f.tensor("eval.y"), rtol: 1e-4, atol: 1e-5) == nil)
    #expect(bn.batchesTracked!.value.item == 5)
    #expect(bn.runningMean!.value.scalars == (try f.tensor("eval.running_mean")).scalars)
  }

  @Test("BatchNorm2d without running statistics normalises with batch statistics in both modes")
  func batchNormUntracked() {
    var rng = RandomGenerator(seed: 3)
    let x = Initializers.normal([2, 3, 4, 4], mean: 2, std: 3, using: &rng)
    let bn = BatchNorm2d(3, trackRunningStatistics: false)
    bn.eval()
    let y = bn(x)
    #expect(Closeness.mismatch(y, x.batchNorm2d(), rtol: 1e-5, atol: 1e-6) == nil)
  }

  @Test("a small conv net (Winograd and im2col convs, BN, pooling, upsampling) learns a toy segmentation")
  func tinyNetworkLearns() {
    var rng = RandomGenerator(seed: 5)
    // Target: a smoothed version of the input's first channel; the net must learn a local filter.
    let x = Initializers.normal([8, 3, 16, 16], using: &rng)
    let target = Autograd.withoutGradients {
      x.avgPool2d(kernelSize: 3, stride: 1, padding: 1).reshaped([8, 3, 256]).gatherRowsAlongChannel0()
    }
    let net = Sequential(
      Conv2d(3, 16, kernelSize: 3, padding: 1, rng: &rng), BatchNorm2d(16), ReLU(),
      Conv2d(16, 16, kernelSize: 3, padding: 2, dilation: 2, rng: &rng), BatchNorm2d(16), ReLU(),
      MaxPool2d(kernelSize: 2), UpsampleBilinear2d(scaleFactor: 2),
      Conv2d(16, 1, kernelSize: 1, rng: &rng))
    let opt = SGD([ParameterGroup(module: net, learningRate: 0.05)], momentum: 0.9)
    var losses: [Float] = []
    for _ in 0..<60 {
      opt.zeroGrad()
      let loss = (net(x) - target).pow(2).mean()
      loss.backward()
      opt.step()
      losses.append(loss.item)
    }
    #expect(losses.last! < 0.3 * losses.first!, "loss went from \(losses.first!) to \(losses.last!)")
    let bn = net.layers[1] as! BatchNorm2d
    #expect(bn.batchesTracked!.value.item == 60)
  }

  @Test("pooling and upsampling layers apply their ops")
  func poolingLayers() {
    var rng = RandomGenerator(seed: 4)
    let x = Initializers.normal([2, 3, 9, 8], using: &rng)
    #expect(MaxPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true)(x).scalars
      == x.maxPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true).scalars)
    #expect(MaxPool2d(kernelSize: 2)(x).shape == [2, 3, 4, 4])
    #expect(AvgPool2d(kernelSize: 3, stride: 2, padding: 1, countIncludePad: false)(x).scalars
      == x.avgPool2d(kernelSize: 3, stride: 2, padding: 1, countIncludePad: false).scalars)
    #expect(AdaptiveAvgPool2d(outputSize: 1)(x).shape == [2, 3, 1, 1])
    #expect(UpsampleBilinear2d(scaleFactor: 4)(x).shape == [2, 3, 36, 32])
    #expect(UpsampleBilinear2d(size: [5, 6], alignCorners: true)(x).scalars
      == x.upsampleBilinear2d(size: [5, 6], alignCorners: true).scalars)
  }
}
