import AuxEngine
import AuxNN
import AuxBench
import Dispatch

/// GFLOP/s of the sgemm calls the reference convs make per image (forward, dW, dX).
func gemmProbe(repeats: Int, group G: Int) {
  // (label, O, K, P)
  let layers = [
    ("enc1", 32, 27, 4096), ("enc2", 64, 288, 1024), ("enc3", 64, 576, 1024), ("enc4", 128, 576, 256),
    ("enc5", 128, 1152, 256), ("head", 64, 1152, 256),
  ]
  var rng = RandomGenerator(seed: 1)
  for (label, O, K, P1) in layers {
    let P = P1 * G
    let w = Initializers.normal([O, K], using: &rng)
    let cols = Initializers.normal([K, P], using: &rng)
    let dy = Initializers.normal([O, P], using: &rng)
    var out = Tensor.zeros([Swift.max(O * P, O * K, K * P)])
    let flops = 2.0 * Double(O * K * P)
    for (kind, tA, tB, m, n, k, a, lda, b, ldb) in [
      ("fwd   W.cols      ", false, false, O, P, K, w, K, cols, P),
      ("dW    dY.cols^T   ", false, true, O, K, P, dy, P, cols, P),
      ("dX    W^T.dY      ", true, false, K, P, O, w, K, dy, P),
      ("dW^T  cols.dY^T   ", false, true, K, O, P, cols, P, dy, P),
      ("dW^T  cols.dYT    ", false, false, K, O, P, cols, P, dy, O),
    ] {
      let t = ConvReferenceBenchmark.time("\(label) \(kind)", repeats: repeats) {
        a.withUnsafeBufferPointer { ap in
          b.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { cp in
              BLAS.sgemm(
                transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: lda,
                b: bp.baseAddress!, ldb: ldb, beta: 0, c: cp.baseAddress!, ldc: n)
            }
          }
        }
      }
      let gf = flops / (t.bestMilliseconds * 1e6)
      let gfc = flops / (t.bestThreadCPUMilliseconds * 1e6)
      print("\(t.name) m\(m) n\(n) k\(k)  best \(String(format: "%7.3f", t.bestMilliseconds)) ms  \(String(format: "%6.1f", gf)) GFLOP/s wall, \(String(format: "%6.1f", gfc)) GFLOP/s thread CPU")
    }
  }
}

/// Two threads calling single-threaded sgemm at once vs one call with OpenBLAS's own 2 threads.
func concurrencyProbe(repeats: Int) {
  var rng = RandomGenerator(seed: 2)
  let (m, n, k) = (128, 256, 1152)
  let a = Initializers.normal([m, k], using: &rng)
  let b = Initializers.normal([k, n], using: &rng)
  let outs = [Tensor.zeros([m * n]), Tensor.zeros([m * n])]
  final class Box: @unchecked Sendable { var t: [Tensor]; init(_ t: [Tensor]) { self.t = t } }
  let box = Box(outs)
  @Sendable func gemm(_ i: Int) {
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        box.t[i].withUnsafeMutableBufferPointer { cp in
          BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
        }
      }
    }
  }
  let flops = 2.0 * Double(m * n * k) * 16
  let saved = BLAS.threadCount
  BLAS.threadCount = 2
  let t2 = ConvReferenceBenchmark.time("16 GEMMs, OpenBLAS 2 threads", repeats: repeats) { for _ in 0..<16 { gemm(0) } }
  BLAS.threadCount = 1
  let t1 = ConvReferenceBenchmark.time("16 GEMMs, OpenBLAS 1 thread", repeats: repeats) { for _ in 0..<16 { gemm(0) } }
  let tp = ConvReferenceBenchmark.time("16 GEMMs, 2 workers x 1-thread BLAS", repeats: repeats) {
    DispatchQueue.concurrentPerform(iterations: 2) { w in for _ in 0..<8 { gemm(w) } }
  }
  BLAS.threadCount = saved
  for t in [t2, t1, tp] {
    print("\(t.name.padding(toLength: 40, withPad: " ", startingAt: 0)) best \(String(format: "%7.3f", t.bestMilliseconds)) ms  \(String(format: "%6.1f", flops / (t.bestMilliseconds * 1e6))) GFLOP/s")
  }
  let ref = box.t[0].scalars
  gemm(1)
  print("concurrent results identical to serial: \(box.t[1].scalars == ref)")
}

/// Whether Parallel.run's second task really runs on another thread: the calling thread's CPU time
/// is about half the total when it does, all of it when the caller ends up running both tasks.
func parallelProbe(repeats: Int) {
  var rng = RandomGenerator(seed: 3)
  let (m, n, k) = (128, 256, 576)
  let a = Initializers.normal([m, k], using: &rng)
  let b = Initializers.normal([k, n], using: &rng)
  final class Box: @unchecked Sendable { var t: [Tensor]; init(_ t: [Tensor]) { self.t = t } }
  let box = Box([Tensor.zeros([m * n]), Tensor.zeros([m * n])])
  @Sendable func gemm(_ i: Int) {
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        box.t[i].withUnsafeMutableBufferPointer { cp in
          BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
        }
      }
    }
  }
  for label in ["pure arithmetic", "single-threaded sgemm"] {
    for run in 0..<repeats {
      let c0 = ConvReferenceBenchmark.threadCPUMilliseconds()
      let clock = ContinuousClock()
      let d = clock.measure {
        Parallel.withSingleThreadedBLAS {
          Parallel.run(2) { t in
            if label == "pure arithmetic" {
              var x: Float = 1
              for i in 0..<20_000_000 { x = x * 1.0000001 + Float(i & 1) * 1e-9 }
              if x == 0 { print(x) }
            } else {
              for _ in 0..<60 { gemm(t) }
            }
          }
        }
      }
      let wall = Double(d.components.attoseconds) * 1e-15 + Double(d.components.seconds) * 1e3
      let cpu = ConvReferenceBenchmark.threadCPUMilliseconds() - c0
      if run < 5 { print("\(label): wall \(String(format: "%.2f", wall)) ms, caller CPU \(String(format: "%.2f", cpu)) ms") }
    }
  }
}

/// Winograd vs im2col for small channel counts (where the Winograd GEMMs have a tiny k).
func winogradThresholdProbe(repeats: Int) {
  var rng = RandomGenerator(seed: 4)
  for c in [4, 8, 16, 32] {
    let conv = Conv2d(c, c, kernelSize: 3, padding: 1, rng: &rng)
    let x = Initializers.normal([16, c, 32, 32], using: &rng).requiringGrad()
    let gy = Initializers.normal([16, c, 32, 32], using: &rng)
    for on in [true, false] {
      ConvKernels.winogradEnabled = on
      let t = ConvReferenceBenchmark.time("conv3x3 \(c)->\(c) 32x32 \(on ? "winograd" : "im2col")", repeats: repeats) {
        conv.zeroGrad()
        conv(x).backward(gy)
      }
      print("\(t.name.padding(toLength: 36, withPad: " ", startingAt: 0)) thread CPU \(String(format: "%7.3f", t.bestThreadCPUMilliseconds)) ms")
    }
  }
  ConvKernels.winogradEnabled = true
}
