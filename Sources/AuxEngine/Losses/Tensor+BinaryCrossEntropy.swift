#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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
    let w = LossKernels.expandedConstant(weight, to: shape, name: "weight", op: op)
    let pw = LossKernels.expandedConstant(posWeight, to: shape, name: "posWeight", op: op)
    let n = count
    var perElement = Tensor.uninitialized(shape)
    withUnsafeBufferPointer { xp in
      target.withUnsafeBufferPointer { yp in
        perElement.withUnsafeMutableBufferPointer { ep in
          LossKernels.withOptional(w) { wp in
            LossKernels.withOptional(pw) { pp in
              guard n > 0 else { return }
              let (x, y, e) = (xp.baseAddress!, yp.baseAddress!, ep.baseAddress!)
              for i in 0..<n {
                let xi = x[i]
                let yi = y[i]
                let softplusNeg = Swift.max(-xi, 0) + log1pf(expf(-Swift.abs(xi)))
                let lw = pp.map { 1 + ($0[i] - 1) * yi } ?? 1
                let loss = (1 - yi) * xi + lw * softplusNeg
                e[i] = wp.map { $0[i] * loss } ?? loss
              }
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
                if gx != nil {
                  gx!.withUnsafeMutableBufferPointer { dp in
                    for i in 0..<n {
                      let scale = (reduction == .none ? gp[i] : uniform) * (wp?[i] ?? 1)
                      let lw = pp.map { 1 + ($0[i] - 1) * yp[i] } ?? 1
                      // ∂ℓ/∂x = (1 − y) − lw·σ(−x)
                      let xi = xp[i]
                      let sigNeg = xi >= 0 ? expf(-xi) / (1 + expf(-xi)) : 1 / (1 + expf(xi))
                      dp[i] = scale * ((1 - yp[i]) - lw * sigNeg)
                    }
                  }
                }
                if gy != nil {
                  gy!.withUnsafeMutableBufferPointer { dp in
                    for i in 0..<n {
                      let scale = (reduction == .none ? gp[i] : uniform) * (wp?[i] ?? 1)
                      let xi = xp[i]
                      let softplusNeg = Swift.max(-xi, 0) + log1pf(expf(-Swift.abs(xi)))
                      let pwi = pp?[i] ?? 1
                      dp[i] = scale * (-xi + (pwi - 1) * softplusNeg)
                    }
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
