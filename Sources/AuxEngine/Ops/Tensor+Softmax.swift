#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Softmax and log-softmax along an axis, numerically stable (the maximum is subtracted first), with
/// closed-form backward passes.
extension Tensor {
  /// `exp(x − max) / Σ exp(x − max)` along `axis` (PyTorch's `softmax(dim)`).
  ///
  /// Backward: `dx = y ⊙ (g − Σ_axis g ⊙ y)`.
  public func softmax(axis: Int = -1) -> Tensor {
    let split = AxisSplit(shape, axis: axis, op: "softmax")
    let out = SoftmaxKernels.forward(self, split, log: false)
    return Tensor.record("softmax", output: out, inputs: [self]) { g, _ in
      [SoftmaxKernels.backward(g, out, split, log: false)]
    }
  }

  /// `x − max − log Σ exp(x − max)` along `axis` (PyTorch's `log_softmax(dim)`).
  ///
  /// Backward: `dx = g − exp(y) · Σ_axis g`.
  public func logSoftmax(axis: Int = -1) -> Tensor {
    let split = AxisSplit(shape, axis: axis, op: "logSoftmax")
    let out = SoftmaxKernels.forward(self, split, log: true)
    return Tensor.record("log_softmax", output: out, inputs: [self]) { g, _ in
      [SoftmaxKernels.backward(g, out, split, log: true)]
    }
  }
}

/// Pointer kernels for softmax and log-softmax over `[outer, size, inner]`.
public enum SoftmaxKernels {
  /// Softmax (or log-softmax when `log`) of `x` along the split's axis.
  public static func forward(_ x: Tensor, _ split: AxisSplit, log: Bool) -> Tensor {
    var out = Tensor.uninitialized(x.shape)
    let (outer, n, inner) = (split.outer, split.size, split.inner)
    guard n > 0, x.count > 0 else { return out }
    var scratch = Tensor.uninitialized([2 * inner])
    x.withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { op in
        scratch.withUnsafeMutableBufferPointer { sp in
          let m = sp.baseAddress!
          let z = m + inner
          for o in 0..<outer {
            let src = xp.baseAddress! + o &* n &* inner
            let dst = op.baseAddress! + o &* n &* inner
            if inner == 1 {
              var mx = src[0]
              for k in 1..<n where src[k] > mx || src[k] != src[k] { mx = src[k] }
              var total: Float = 0
              for k in 0..<n {
                let e = expf(src[k] - mx)
                dst[k] = e
                total += e
              }
              if log {
                let lse = mx + logf(total)
                for k in 0..<n { dst[k] = src[k] - lse }
              } else {
                let r = 1 / total
                for k in 0..<n { dst[k] *= r }
              }
            } else {
              for i in 0..<inner {
                m[i] = src[i]
                z[i] = 0
              }
              for k in 1..<n {
                let row = src + k &* inner
                for i in 0..<inner where row[i] > m[i] || row[i] != row[i] { m[i] = row[i] }
              }
              for k in 0..<n {
                let row = src + k &* inner
                let drow = dst + k &* inner
                for i in 0..<inner {
                  let e = expf(row[i] - m[i])
                  drow[i] = e
                  z[i] += e
                }
              }
              if log {
                for i in 0..<inner { m[i] += logf(z[i]) }
                for k in 0..<n {
                  let row = src + k &* inner
                  let drow = dst + k &* inner
                  for i in 0..<inner { drow[i] = row[i] - m[i] }
                }
              } else {
                for i in 0..<inner { z[i] = 1 / z[i] }
                for k in 0..<n {
                  let drow = dst + k &* inner
                  for i in 0..<inner { drow[i] *= z[i] }
                }
              }
            }
          }
        }
      }
    }
    return out
  }

  /// The gradient of softmax (`log == false`) or log-softmax with output `y` for upstream `g`.
  public static func backward(_ g: Tensor, _ y: Tensor, _ split: AxisSplit, log: Bool) -> Tensor {
    var gx = Tensor.uninitialized(y.shape)
    let (outer, n, inner) = (split.outer, split.size, split.inner)
    guard n > 0, y.count > 0 else { return gx }
    var scratch = Tensor.uninitialized([inner])
    g.withUnsafeBufferPointer { gp in
      y.withUnsafeBufferPointer { yp in
        gx.withUnsafeMutableBufferPointer { dp in
          scratch.withUnsafeMutableBufferPointer { sp in
            let acc = sp.baseAddress!
            for o in 0..<outer {
              let base = o &* n &* inner
              let gs = gp.baseAddress! + base
              let ys = yp.baseAddress! + base
              let ds = dp.baseAddress! + base
              // acc = Σ_k g·y (softmax) or Σ_k g (log-softmax), per inner position.
              for i in 0..<inner { acc[i] = 0 }
              for k in 0..<n {
                let off = k &* inner
                if log {
                  for i in 0..<inner { acc[i] += gs[off &+ i] }
                } else {
                  for i in 0..<inner { acc[i] += gs[off &+ i] * ys[off &+ i] }
                }
              }
              for k in 0..<n {
                let off = k &* inner
                if log {
                  for i in 0..<inner { ds[off &+ i] = gs[off &+ i] - expf(ys[off &+ i]) * acc[i] }
                } else {
                  for i in 0..<inner { ds[off &+ i] = ys[off &+ i] * (gs[off &+ i] - acc[i]) }
                }
              }
            }
          }
        }
      }
    }
    return gx
  }
}
