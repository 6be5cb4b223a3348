/// Binary cross-entropy on logits, fused and numerically stable (PyTorch's
/// `F.binary_cross_entropy_with_logits`).
extension Tensor {
  /// Binary cross-entropy between logits `self` and targets in `[0, 1]`, with PyTorch's stable
  /// formula:
  ///
  ///     ℓ = w · [ (1 − y)·x + (1 + (pw − 1)·y) · softplus(−x) ],
  ///     softplus(−x) = max(−x, 0) + log(1 + e^(−|x|))
  ///
  /// which equals `−w·[pw·y·log σ(x) + (1 − y)·log(1 − σ(x))]` without overflow.
  ///
  /// - Parameters:
  ///   - target: targets (soft labels allowed) of exactly the logits' shape. It may require a
  ///     gradient: `∂ℓ/∂y = w·(−x + (pw − 1)·softplus(−x))`.
  ///   - weight: optional per-element weights broadcastable to the logits' shape (constants).
  ///   - posWeight: optional weights of positive examples broadcastable to the logits' shape, e.g.
  ///     `[C, 1, 1]` for `[N, C, H, W]` logits (constants). PyTorch's `pos_weight`.
  ///   - reduction: `.mean` (over all elements, as PyTorch, weights included in the numerator
  ///     only), `.sum` or `.none`.
  public func binaryCrossEntropyWithLogits(
    target: Tensor, weight: Tensor? = nil, posWeight: Tensor? = nil, reduction: LossReduction = .mean
  ) -> Tensor {
    let op = "binaryCrossEntropyWithLogits"
    precondition(target.shape == shape, "\(op): target shape \(target.shape) must equal the logits shape \(shape)")
    // One-element weights stay scalars (no full-size copy); others are broadcast to the shape.
    let (w, wScalar) = LossKernels.scalarOrExpanded(weight, to: shape, name: "weight", op: op)
    let (pw, pwScalar) = LossKernels.scalarOrExpanded(posWeight, to: shape, name: "posWeight", op: op)
    let n = count
    var perElement = Tensor.uninitialized(shape)
    withUnsafeBufferPointer { xp in
      target.withUnsafeBufferPointer { yp in
        perElement.withUnsafeMutableBufferPointer { ep in
          LossKernels.withOptional(w) { wp in
            LossKernels.withOptional(pw) { pp in
              guard n > 0 else { return }
              let (x, y, e) = (xp.baseAddress!, yp.baseAddress!, ep.baseAddress!)
              BCEKernels.forEach(n, pp, pwScalar) { i, pwi in
                let xi = x[i]
                let yi = y[i]
                let softplusNeg = Swift.max(-xi, 0) + FastMath.log1p(FastMath.exp(-Swift.abs(xi)))
                e[i] = (1 - yi) * xi + (1 + (pwi - 1) * yi) * softplusNeg
              }
              BCEKernels.scale(e, n, wp, wScalar)
            }
          }
        }
      }
    }
    let out = LossKernels.reduce(perElement, reduction, denominator: Double(n))
    let x = detached()
    let y = target.detached()
    let elements = Float(n)
    return Tensor.record("binary_cross_entropy_with_logits", output: out, inputs: [self, target]) { g, need in
      var gx: Tensor? = need[0] ? Tensor.uninitialized(x.shape) : nil
      var gy: Tensor? = need[1] ? Tensor.uninitialized(x.shape) : nil
      let uniform: Float = reduction == .mean ? (n == 0 ? 0 : g.item / elements) : (reduction == .sum ? g.item : 0)
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in
          g.withUnsafeBufferPointer { gp in
            LossKernels.withOptional(w) { wp in
              LossKernels.withOptional(pw) { pp in
                guard n > 0 else { return }
                let (xs, ys) = (xp.baseAddress!, yp.baseAddress!)
                let upstream = reduction == .none ? gp.baseAddress! : nil
                if gx != nil {
                  gx!.withUnsafeMutableBufferPointer { dp in
                    let d = dp.baseAddress!
                    // ∂ℓ/∂x = (1 − y) − lw·σ(−x), with σ(−x) from e^(−|x|) (no overflow)
                    BCEKernels.forEach(n, pp, pwScalar) { i, pwi in
                      let xi = xs[i]
                      let yi = ys[i]
                      let e = FastMath.exp(-Swift.abs(xi))
                      let sigNeg = (xi >= 0 ? e : 1) / (1 + e)
                      d[i] = (1 - yi) - (1 + (pwi - 1) * yi) * sigNeg
                    }
                    BCEKernels.scale(d, n, upstream, uniform)
                    BCEKernels.scale(d, n, wp, wScalar)
                  }
                }
                if gy != nil {
                  gy!.withUnsafeMutableBufferPointer { dp in
                    let d = dp.baseAddress!
                    // ∂ℓ/∂y = −x + (pw − 1)·softplus(−x)
                    BCEKernels.forEach(n, pp, pwScalar) { i, pwi in
                      let xi = xs[i]
                      let softplusNeg = Swift.max(-xi, 0) + FastMath.log1p(FastMath.exp(-Swift.abs(xi)))
                      d[i] = -xi + (pwi - 1) * softplusNeg
                    }
                    BCEKernels.scale(d, n, upstream, uniform)
                    BCEKernels.scale(d, n, wp, wScalar)
                  }
                }
              }
            }
          }
        }
      }
      return [gx, gy]
    }
  }
}

/// Loop helpers for the binary cross-entropy: each specialises its body for a per-element or a
/// scalar operand, so that the loops vectorise.
enum BCEKernels {
  /// Calls `body(i, p[i])` for every `i`, or `body(i, scalar)` when `p` is nil.
  @inline(__always)
  static func forEach(_ n: Int, _ p: UnsafePointer<Float>?, _ scalar: Float, _ body: (Int, Float) -> Void) {
    if let p {
      for i in 0..<n { body(i, p[i]) }
    } else {
      for i in 0..<n { body(i, scalar) }
    }
  }

  /// `d[i] *= p[i]`, or `d[i] *= scalar` when `p` is nil (nothing when the scalar is 1).
  @inline(__always)
  static func scale(_ d: UnsafeMutablePointer<Float>, _ n: Int, _ p: UnsafePointer<Float>?, _ scalar: Float) {
    if let p {
      for i in 0..<n { d[i] *= p[i] }
    } else if scalar != 1 {
      for i in 0..<n { d[i] *= scalar }
    }
  }
}
