#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Lp normalisation along an axis (PyTorch's `torch.nn.functional.normalize`).
extension Tensor {
  /// `x / max(‖x‖_p, eps)` along `axis`, exactly as `F.normalize(x, p, dim, eps)`.
  ///
  /// PyTorch computes `x / x.norm(p, dim, keepdim=True).clamp_min(eps)`, so the backward pass
  /// treats the clamp as part of the function: where `‖x‖_p < eps` the denominator is the constant
  /// `eps` and the gradient is `g / eps`; elsewhere
  /// `dx = g / n − (Σ g·x) / n² · ∂n/∂x` with `∂n/∂x = sign(x)·|x|^(p−1) / n^(p−1)`.
  ///
  /// - Parameters:
  ///   - p: the norm's exponent, `p ≥ 1` (PyTorch's default is 2).
  ///   - axis: the axis to normalise (PyTorch's default `dim` is 1; negative axes count from the end).
  ///   - eps: the lower bound of the denominator (PyTorch's default 1e-12).
  public func normalized(p: Float = 2, axis: Int = 1, eps: Float = 1e-12) -> Tensor {
    precondition(p >= 1 && p.isFinite, "normalize: p must be a finite number ≥ 1, got \(p) (shape \(shape))")
    precondition(eps >= 0, "normalize: eps must be ≥ 0, got \(eps) (shape \(shape))")
    let split = AxisSplit(shape, axis: axis, op: "normalize")
    let (outer, n, inner) = (split.outer, split.size, split.inner)
    var norms = Tensor.uninitialized([outer * inner])
    var out = Tensor.uninitialized(shape)
    withUnsafeBufferPointer { xp in
      norms.withUnsafeMutableBufferPointer { np in
        out.withUnsafeMutableBufferPointer { op in
          guard let xs = xp.baseAddress, let ns = np.baseAddress, let os = op.baseAddress else { return }
          for o in 0..<outer {
            let src = xs + o &* n &* inner
            let dst = os + o &* n &* inner
            let norm = ns + o &* inner
            NormKernels.norms(src, size: n, inner: inner, p: p, into: norm)
            for k in 0..<n {
              let off = k &* inner
              for i in 0..<inner { dst[off &+ i] = src[off &+ i] / Swift.max(norm[i], eps) }
            }
          }
        }
      }
    }
    let x = detached()
    return Tensor.record("normalize", output: out, inputs: [self]) { g, _ in
      var gx = Tensor.uninitialized(x.shape)
      var dots = Tensor.uninitialized([inner])
      g.withUnsafeBufferPointer { gp in
        x.withUnsafeBufferPointer { xp in
          norms.withUnsafeBufferPointer { np in
            gx.withUnsafeMutableBufferPointer { dp in
              dots.withUnsafeMutableBufferPointer { sp in
                guard let gs0 = gp.baseAddress, let xs0 = xp.baseAddress, let ds0 = dp.baseAddress else { return }
                let dot = sp.baseAddress!
                for o in 0..<outer {
                  let base = o &* n &* inner
                  let (gs, xs, ds) = (gs0 + base, xs0 + base, ds0 + base)
                  let norm = np.baseAddress! + o &* inner
                  for i in 0..<inner { dot[i] = 0 }
                  for k in 0..<n {
                    let off = k &* inner
                    for i in 0..<inner { dot[i] += gs[off &+ i] * xs[off &+ i] }
                  }
                  for k in 0..<n {
                    let off = k &* inner
                    for i in 0..<inner {
                      let nv = norm[i]
                      let c = Swift.max(nv, eps)
                      var v = gs[off &+ i] / c
                      // The clamp passes the gradient where n ≥ eps (PyTorch's clamp_min); the
                      // norm's own gradient is masked to 0 where n == 0.
                      if nv >= eps && nv > 0 {
                        v -= dot[i] / (c * c) * NormKernels.derivative(xs[off &+ i], norm: nv, p: p)
                      }
                      ds[off &+ i] = v
                    }
                  }
                }
              }
            }
          }
        }
      }
      return [gx]
    }
  }
}

/// Pointer kernels for Lp norms along the middle axis of `[size, inner]` blocks.
public enum NormKernels {
  /// Writes `‖x[·, i]‖_p` for each of the `inner` columns of the `[size, inner]` block at `x`,
  /// accumulating in Double.
  public static func norms(_ x: UnsafePointer<Float>, size n: Int, inner: Int, p: Float, into out: UnsafeMutablePointer<Float>) {
    if inner == 1 {
      var acc = 0.0
      if p == 2 {
        for k in 0..<n { acc += Double(x[k]) * Double(x[k]) }
      } else if p == 1 {
        for k in 0..<n { acc += Double(Swift.abs(x[k])) }
      } else {
        let pd = Double(p)
        for k in 0..<n { acc += pow(Double(Swift.abs(x[k])), pd) }
      }
      out[0] = Float(finish(acc, p: p))
      return
    }
    for i in 0..<inner { out[i] = 0 }
    // Column sums in Double, one row of `inner` at a time (cache friendly), 256 columns per chunk.
    var start = 0
    let chunk = 256
    var acc = [Double](repeating: 0, count: Swift.min(chunk, inner))
    acc.withUnsafeMutableBufferPointer { ap in
      let a = ap.baseAddress!
      while start < inner {
        let w = Swift.min(chunk, inner - start)
        for i in 0..<w { a[i] = 0 }
        for k in 0..<n {
          let row = x + (k &* inner &+ start)
          if p == 2 {
            for i in 0..<w { a[i] += Double(row[i]) * Double(row[i]) }
          } else if p == 1 {
            for i in 0..<w { a[i] += Double(Swift.abs(row[i])) }
          } else {
            let pd = Double(p)
            for i in 0..<w { a[i] += pow(Double(Swift.abs(row[i])), pd) }
          }
        }
        for i in 0..<w { out[start &+ i] = Float(finish(a[i], p: p)) }
        start += w
      }
    }
  }

  @inline(__always)
  static func finish(_ acc: Double, p: Float) -> Double {
    if p == 2 { return acc.squareRoot() }
    if p == 1 { return acc }
    return pow(acc, 1 / Double(p))
  }

  /// `∂‖x‖_p / ∂x_j = sign(x_j)·|x_j|^(p−1) / n^(p−1)` for a norm `n > 0`.
  @inline(__always)
  public static func derivative(_ x: Float, norm n: Float, p: Float) -> Float {
    if p == 2 { return x / n }
    if p == 1 { return x > 0 ? 1 : (x < 0 ? -1 : 0) }
    let s: Float = x > 0 ? 1 : (x < 0 ? -1 : 0)
    return s * powf(Swift.abs(x) / n, p - 1)
  }
}
