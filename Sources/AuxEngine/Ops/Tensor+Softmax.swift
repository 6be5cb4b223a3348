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
///
/// With `inner > 1` the work is done on column blocks of at most ``chunk`` positions: the block's
/// rows (`size × chunk` floats) stay in L1 across the max, exp-sum and normalise passes, and the
/// per-position accumulators live on the stack.
public enum SoftmaxKernels {
  /// Columns processed together when `inner > 1`.
  public static let chunk = 256

  /// Softmax (or log-softmax when `log`) of `x` along the split's axis.
  public static func forward(_ x: Tensor, _ split: AxisSplit, log: Bool) -> Tensor {
    var out = Tensor.uninitialized(x.shape)
    let (outer, n, inner) = (split.outer, split.size, split.inner)
    guard n > 0, x.count > 0 else { return out }
    x.withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { op in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * chunk) { scratch in
          let m = scratch.baseAddress!
          let z = m + chunk
          for o in 0..<outer {
            let src = xp.baseAddress! + o &* n &* inner
            let dst = op.baseAddress! + o &* n &* inner
            if inner == 1 {
              var mx = src[0]
              for k in 1..<n where src[k] > mx || src[k] != src[k] { mx = src[k] }
              var total: Float = 0
              for k in 0..<n {
                let e = FastMath.exp(src[k] - mx)
                dst[k] = e
                total += e
              }
              if log {
                let lse = mx + FastMath.log(total)
                for k in 0..<n { dst[k] = src[k] - lse }
              } else {
                let r = 1 / total
                for k in 0..<n { dst[k] *= r }
              }
              continue
            }
            var start = 0
            while start < inner {
              let w = Swift.min(chunk, inner - start)
              let s0 = src + start
              let d0 = dst + start
              for i in 0..<w {
                m[i] = s0[i]
                z[i] = 0
              }
              for k in 1..<n {
                let row = s0 + k &* inner
                for i in 0..<w {
                  let v = row[i]
                  m[i] = (v > m[i] || v != v) ? v : m[i]  // a select, so that the loop vectorises
                }
              }
              for k in 0..<n {
                let row = s0 + k &* inner
                let drow = d0 + k &* inner
                for i in 0..<w {
                  let e = FastMath.exp(row[i] - m[i])
                  drow[i] = e
                  z[i] += e
                }
              }
              if log {
                for i in 0..<w { m[i] += FastMath.log(z[i]) }
                for k in 0..<n {
                  let row = s0 + k &* inner
                  let drow = d0 + k &* inner
                  for i in 0..<w { drow[i] = row[i] - m[i] }
                }
              } else {
                for i in 0..<w { z[i] = 1 / z[i] }
                for k in 0..<n {
                  let drow = d0 + k &* inner
                  for i in 0..<w { drow[i] *= z[i] }
                }
              }
              start += w
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
    g.withUnsafeBufferPointer { gp in
      y.withUnsafeBufferPointer { yp in
        gx.withUnsafeMutableBufferPointer { dp in
          withUnsafeTemporaryAllocation(of: Float.self, capacity: chunk) { scratch in
            let acc = scratch.baseAddress!
            for o in 0..<outer {
              let base = o &* n &* inner
              var start = 0
              while start < inner {
                let w = Swift.min(chunk, inner - start)
                let gs = gp.baseAddress! + (base &+ start)
                let ys = yp.baseAddress! + (base &+ start)
                let ds = dp.baseAddress! + (base &+ start)
                // acc = Σ_k g·y (softmax) or Σ_k g (log-softmax), per position.
                for i in 0..<w { acc[i] = 0 }
                for k in 0..<n {
                  let off = k &* inner
                  if log {
                    for i in 0..<w { acc[i] += gs[off &+ i] }
                  } else {
                    for i in 0..<w { acc[i] += gs[off &+ i] * ys[off &+ i] }
                  }
                }
                for k in 0..<n {
                  let off = k &* inner
                  if log {
                    for i in 0..<w { ds[off &+ i] = gs[off &+ i] - FastMath.exp(ys[off &+ i]) * acc[i] }
                  } else {
                    for i in 0..<w { ds[off &+ i] = ys[off &+ i] * (gs[off &+ i] - acc[i]) }
                  }
                }
                start += w
              }
            }
          }
        }
      }
    }
    return gx
  }
}
