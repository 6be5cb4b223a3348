import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#endif

/// Timings of the conv reference model, layer by layer and as a whole training step, for comparison
/// with PyTorch (`scripts/bench/conv_reference.py` runs the same shapes).
///
/// The reference model: an encoder of five conv3×3–BN–ReLU blocks 3→32, 32→64 (stride 2), 64→64,
/// 64→128 (stride 2), 128→128 (dilation 2) on 64×64 inputs; three heads, each conv3×3 128→64–BN–ReLU
/// then a 1×1 conv to 7, 1 and 3 channels, upsampled ×4 bilinearly. This is an internal measuring
/// tool (run by `scripts/bench/ConvBench`), not a stable API.
public enum ConvReferenceBenchmark {
  /// One measured item: the median and best wall-clock time of `repeats` runs, and the best CPU
  /// time of the calling thread, in milliseconds.
  ///
  /// On a shared machine wall-clock times include time the thread waited for a core; the thread's
  /// CPU time does not, so with one BLAS thread it is the stable figure to compare.
  public struct Timing: Sendable {
    public var name: String
    public var medianMilliseconds: Double
    public var bestMilliseconds: Double
    public var bestThreadCPUMilliseconds: Double
  }

  public static func threadCPUMilliseconds() -> Double {
    #if os(Linux)
      var ts = timespec()
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
      return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) * 1e-6
    #else
      return 0
    #endif
  }

  /// The reference model (encoder + three heads).
  public final class ReferenceModel: Module {
    public let encoder: Sequential
    public let heads: [Sequential]

    public init(rng: inout RandomGenerator) {
      func block(_ c: Int, _ o: Int, stride: Int = 1, dilation: Int = 1, rng: inout RandomGenerator) -> [any Layer] {
        [
          Conv2d(c, o, kernelSize: 3, stride: Size2D(stride), padding: Size2D(dilation), dilation: Size2D(dilation), rng: &rng),
          BatchNorm2d(o), ReLU(),
        ]
      }
      encoder = Sequential(
        [
          Sequential(block(3, 32, rng: &rng)), Sequential(block(32, 64, stride: 2, rng: &rng)),
          Sequential(block(64, 64, rng: &rng)), Sequential(block(64, 128, stride: 2, rng: &rng)),
          Sequential(block(128, 128, dilation: 2, rng: &rng)),
        ])
      var hs: [Sequential] = []
      for k in [7, 1, 3] {
        hs.append(Sequential([Sequential(block(128, 64, rng: &rng)), Conv2d(64, k, kernelSize: 1, rng: &rng)]))
      }
      heads = hs
      super.init()
      registerModule("encoder", encoder)
      let list = Module()
      for (i, h) in heads.enumerated() { list.registerModule(String(i), h) }
      registerModule("heads", list)
    }

    /// The three task outputs at input resolution.
    public func callAsFunction(_ x: Tensor) -> [Tensor] {
      let z = encoder(x)
      return heads.map { $0(z).upsampleBilinear2d(scaleFactor: 4) }
    }
  }

  /// Times `body` `repeats` times after 3 warm-up runs.
  public static func time(_ name: String, repeats: Int, _ body: () -> Void) -> Timing {
    for _ in 0..<3 { body() }
    let clock = ContinuousClock()
    var ms: [Double] = []
    var cpu = Double.infinity
    for _ in 0..<repeats {
      let c0 = threadCPUMilliseconds()
      let d = clock.measure(body)
      cpu = Swift.min(cpu, threadCPUMilliseconds() - c0)
      ms.append(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15)
    }
    ms.sort()
    return Timing(name: name, medianMilliseconds: ms[ms.count / 2], bestMilliseconds: ms[0], bestThreadCPUMilliseconds: cpu)
  }

  /// Runs every measurement and reports each as soon as it is done.
  ///
  /// - Parameters:
  ///   - batch: images per batch (16 in the reference setting).
  ///   - repeats: timed runs per item.
  ///   - only: if non-empty, only items whose name contains one of these strings.
  public static func run(batch N: Int = 16, repeats: Int = 20, only: [String] = [], report: (Timing) -> Void) {
    var rng = RandomGenerator(seed: 0)
    func wanted(_ name: String) -> Bool { only.isEmpty || only.contains { name.contains($0) } }
    func measure(_ name: String, _ body: () -> Void) {
      if wanted(name) { report(time(name, repeats: repeats, body)) }
    }

    let convs: [(String, Int, Int, Int, Int, Int, Int, Int, Bool)] = [
      ("enc1 conv3x3 3->32 64x64", 3, 32, 64, 1, 1, 1, 3, false),
      ("enc2 conv3x3 32->64 s2", 32, 64, 64, 2, 1, 1, 3, true),
      ("enc3 conv3x3 64->64 32x32", 64, 64, 32, 1, 1, 1, 3, true),
      ("enc4 conv3x3 64->128 s2", 64, 128, 32, 2, 1, 1, 3, true),
      ("enc5 conv3x3 128->128 d2 16x16", 128, 128, 16, 1, 2, 2, 3, true),
      ("head conv3x3 128->64 16x16", 128, 64, 16, 1, 1, 1, 3, true),
      ("head conv1x1 64->7 16x16", 64, 7, 16, 1, 0, 1, 1, true),
    ]
    for (name, c, o, h, s, p, d, k, needInput) in convs where wanted(name) {
      let conv = Conv2d(c, o, kernelSize: Size2D(k), stride: Size2D(s), padding: Size2D(p), dilation: Size2D(d), rng: &rng)
      let x0 = Initializers.normal([N, c, h, h], using: &rng)
      let x = needInput ? x0.requiringGrad() : x0
      let gy = Autograd.withoutGradients { Initializers.normal(conv(x0).shape, using: &rng) }
      measure(name) {
        conv.zeroGrad()
        conv(x).backward(gy)
      }
    }
    for (name, c, h) in [("bn 32 64x64", 32, 64), ("bn 64 32x32", 64, 32), ("bn 128 16x16", 128, 16), ("bn 64 16x16", 64, 16)]
    where wanted(name) {
      let bn = BatchNorm2d(c)
      let x = Initializers.normal([N, c, h, h], using: &rng).requiringGrad()
      let gy = Initializers.normal([N, c, h, h], using: &rng)
      measure(name) {
        bn.zeroGrad()
        bn(x).backward(gy)
      }
    }
    do {
      let x = Initializers.normal([N, 7, 16, 16], using: &rng).requiringGrad()
      let gy = Initializers.normal([N, 7, 64, 64], using: &rng)
      measure("upsample x4 bilinear 7ch 16->64") { x.upsampleBilinear2d(scaleFactor: 4).backward(gy) }
      let r = Initializers.normal([N, 64, 16, 16], using: &rng).requiringGrad()
      let gr = Initializers.normal([N, 64, 16, 16], using: &rng)
      measure("relu 64x16x16") { r.relu().backward(gr) }
    }
    if wanted("reference model training step") {
      let model = ReferenceModel(rng: &rng)
      let opt = SGD([ParameterGroup(module: model, learningRate: 0.01)], momentum: 0.9)
      let x = Initializers.normal([N, 3, 64, 64], using: &rng)
      let targets = [7, 1, 3].map { Initializers.normal([N, $0, 64, 64], using: &rng) }
      measure("reference model training step") {
        opt.zeroGrad()
        let outs = model(x)
        var loss = (outs[0] - targets[0]).pow(2).mean()
        for i in 1..<3 { loss = loss + (outs[i] - targets[i]).pow(2).mean() }
        loss.backward()
        opt.step()
      }
    }
  }
}
