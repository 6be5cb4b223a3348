import AuxEngine
import Foundation
import Testing

/// Timings of the axis ops and losses at NYUv2 training sizes (batch 4, 13 classes, 288×384).
///
/// Opt-in, and never asserted (speed is measured, not tested):
///
///     AUXMTL_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter OpsBenchmarks
@Suite("Ops benchmarks", .enabled(if: ProcessInfo.processInfo.environment["AUXMTL_BENCH"] != nil))
struct OpsBenchmarks {
  /// Median wall time of `body` over `runs` runs after one warm-up, in milliseconds.
  static func time(runs: Int = 7, _ body: () -> Void) -> Double {
    body()
    var samples: [Double] = []
    for _ in 0..<runs {
      let start = DispatchTime.now().uptimeNanoseconds
      body()
      samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return samples.sorted()[runs / 2]
  }

  static func report(_ name: String, _ ms: Double) {
    print("bench \(name.padding(toLength: 52, withPad: " ", startingAt: 0)) \(String(format: "%8.2f", ms)) ms")
  }

  @Test("masked L1 only")
  func l1Only() {
    var rng = RandomGenerator(seed: 1)
    let depth = Tensor(shape: [4, 1, 288, 384], scalars: (0..<(4 * 288 * 384)).map { _ in rng.nextNormal() })
    let valid = Tensor(shape: [4, 1, 288, 384], scalars: (0..<(4 * 288 * 384)).map { _ in rng.nextUniform() > 0.2 ? 1 : 0 })
    let half = depth * 0.5
    Self.report("masked L1 forward only", Self.time(runs: 101) { _ = depth.l1Loss(half, mask: valid) })
    Self.report("masked L1 fwd+bwd", Self.time(runs: 101) {
      let leaf = depth.requiringGrad()
      let y = leaf.l1Loss(half, mask: valid)
      _ = Autograd.gradients(of: [y], wrt: [leaf])
    })
  }

  @Test("cross-entropy only")
  func ceOnly() {
    var rng = RandomGenerator(seed: 1)
    let logits = Tensor(shape: [4, 13, 288, 384], scalars: (0..<(4 * 13 * 288 * 384)).map { _ in rng.nextNormal() })
    let labels = Tensor(shape: [4, 288, 384], scalars: (0..<(4 * 288 * 384)).map { _ in
      let v = rng.nextInt(below: 14)
      return v == 13 ? -1 : Float(v)
    })
    Self.report("crossEntropy forward only", Self.time(runs: 21) { _ = logits.crossEntropy(target: labels, ignoreIndex: -1) })
    Self.report("crossEntropy fwd+bwd", Self.time(runs: 21) {
      let leaf = logits.requiringGrad()
      let y = leaf.crossEntropy(target: labels, ignoreIndex: -1)
      _ = Autograd.gradients(of: [y], wrt: [leaf])
    })
  }

  @Test("forward + backward at NYUv2 sizes")
  func nyu() {
    var rng = RandomGenerator(seed: 1)
    let logits = Tensor(shape: [4, 13, 288, 384], scalars: (0..<(4 * 13 * 288 * 384)).map { _ in rng.nextNormal() })
    let labels = Tensor(shape: [4, 288, 384], scalars: (0..<(4 * 288 * 384)).map { _ in
      let v = rng.nextInt(below: 14)
      return v == 13 ? -1 : Float(v)
    })
    let normals = Tensor(shape: [4, 3, 288, 384], scalars: (0..<(4 * 3 * 288 * 384)).map { _ in rng.nextNormal() })
    let gt = normals.normalized(axis: 1)
    let depth = normals.sliced(axis: 1, range: 0..<1)
    let valid = Tensor(shape: [4, 1, 288, 384], scalars: (0..<(4 * 288 * 384)).map { _ in rng.nextUniform() > 0.2 ? 1 : 0 })
    let features = Tensor(shape: [4, 64, 72, 96], scalars: (0..<(4 * 64 * 72 * 96)).map { _ in rng.nextNormal() })

    func fb(_ x: Tensor, _ f: @escaping (Tensor) -> Tensor) -> () -> Void {
      {
        let leaf = x.requiringGrad()
        let y = f(leaf)
        _ = Autograd.gradients(of: [y], seeds: [Tensor.ones(y.shape)], wrt: [leaf])
      }
    }
    Self.report("crossEntropy [4,13,288,384] ignore -1, fwd+bwd", Self.time(fb(logits) { $0.crossEntropy(target: labels, ignoreIndex: -1) }))
    Self.report("crossEntropy forward only", Self.time { _ = logits.crossEntropy(target: labels, ignoreIndex: -1) })
    Self.report("softmax axis 1 [4,13,288,384], fwd+bwd", Self.time(fb(logits) { $0.softmax(axis: 1) }))
    Self.report("logSoftmax axis 1, fwd+bwd", Self.time(fb(logits) { $0.logSoftmax(axis: 1) }))
    Self.report("max axis 1 [4,13,288,384], fwd+bwd", Self.time(fb(logits) { $0.max(axis: 1) }))
    Self.report("argmax axis 1", Self.time { _ = logits.argmax(axis: 1) })
    Self.report("normal loss: normalize + cos + masked mean, fwd+bwd", Self.time(fb(normals) {
      (1 - $0.normalized(axis: 1).cosineSimilarity(gt, axis: 1)).maskedMean(valid.squeezed(at: 1))
    }))
    Self.report("masked L1 [4,1,288,384], fwd+bwd", Self.time(fb(depth) { $0.l1Loss(depth * 0.5, mask: valid) }))
    let probabilities = logits.sigmoid()
    Self.report("BCE with logits [4,13,288,384], fwd+bwd", Self.time(fb(logits) {
      $0.binaryCrossEntropyWithLogits(target: probabilities, posWeight: Tensor([0.95]))
    }))
    Self.report("concat axis 1 2×[4,64,72,96], fwd+bwd", Self.time(fb(features) { Tensor.concat([$0, $0], axis: 1) }))
    Self.report("slice axis 1 [4,64,72,96] 0..<32, fwd+bwd", Self.time(fb(features) { $0.sliced(axis: 1, range: 0..<32) }))
    var drng = RandomGenerator(seed: 2)
    Self.report("dropout p=0.5 [4,64,72,96], fwd+bwd", Self.time(fb(features) { $0.dropout(p: 0.5, training: true, using: &drng) }))
  }
}
