/// L1 and mean-squared-error losses with an optional validity mask, fused into one op each
/// (PyTorch's `F.l1_loss` and `F.mse_loss`, plus the masked means that depth and normal losses use).
extension Tensor {
  /// `|x − y|` per element, reduced (PyTorch's `F.l1_loss`).
  ///
  /// With a `mask`, elements whose mask is 0 are skipped entirely (their prediction and target
  /// are never read into the result, so NaN targets at invalid pixels are harmless) and `.mean`
  /// becomes the masked mean `Σ m·|x − y| / Σ m`, the mean over valid pixels. When no element is
  /// valid the mean is 0 with a zero gradient (PyTorch's `l1_loss(pred[mask], gt[mask])` would give
  /// NaN). The gradient of `|d|` at `d == 0` is 0, as in PyTorch.
  ///
  /// - Parameters:
  ///   - target: targets of exactly the prediction's shape (it may require a gradient).
  ///   - mask: optional non-negative weights (typically 1 = valid, 0 = invalid) broadcastable to
  ///     the prediction's shape, e.g. `[N, 1, H, W]` for `[N, 3, H, W]`; the mean's denominator
  ///     counts the broadcast elements. A constant.
  ///   - reduction: `.mean` (default), `.sum` (`Σ m·|x − y|`) or `.none` (`m·|x − y|`).
  public func l1Loss(_ target: Tensor, mask: Tensor? = nil, reduction: LossReduction = .mean) -> Tensor {
    regressionLoss(target, mask: mask, reduction: reduction, squared: false, op: "l1Loss")
  }

  /// `(x − y)²` per element, reduced (PyTorch's `F.mse_loss`); masks as in
  /// ``l1Loss(_:mask:reduction:)``.
  public func mseLoss(_ target: Tensor, mask: Tensor? = nil, reduction: LossReduction = .mean) -> Tensor {
    regressionLoss(target, mask: mask, reduction: reduction, squared: true, op: "mseLoss")
  }

  private func regressionLoss(_ target: Tensor, mask: Tensor?, reduction: LossReduction, squared: Bool, op: String) -> Tensor {
    precondition(target.shape == shape, "\(op): target shape \(target.shape) must equal the prediction shape \(shape)")
    let m = LossKernels.expandedMask(mask, to: shape, op: op)
    let n = count
    var perElement = Tensor.uninitialized(shape)
    withUnsafeBufferPointer { xp in
      target.withUnsafeBufferPointer { yp in
        perElement.withUnsafeMutableBufferPointer { ep in
          LossKernels.withOptional(m) { mp in
            guard n > 0 else { return }
            let (x, y, e) = (xp.baseAddress!, yp.baseAddress!, ep.baseAddress!)
            if let mp {
              // Branch-free so that it vectorises; the select keeps NaN at invalid elements out.
              for i in 0..<n {
                let mi = mp[i]
                let d = x[i] - y[i]
                let v = mi * (squared ? d * d : Swift.abs(d))
                e[i] = mi == 0 ? 0 : v
              }
            } else if squared {
              for i in 0..<n {
                let d = x[i] - y[i]
                e[i] = d * d
              }
            } else {
              for i in 0..<n { e[i] = Swift.abs(x[i] - y[i]) }
            }
          }
        }
      }
    }
    let weightSum = m.map { ReductionKernels.sumAll($0) } ?? Double(n)
    let out = LossKernels.reduce(perElement, reduction, denominator: weightSum)
    let (xd, yd) = (detached(), target.detached())
    let denominator = Float(weightSum)
    return Tensor.record(squared ? "mse_loss" : "l1_loss", output: out, inputs: [self, target]) { g, need in
      let uniform: Float
      switch reduction {
      case .none: uniform = 0
      case .sum: uniform = g.item
      case .mean: uniform = denominator == 0 ? 0 : g.item / denominator
      }
      var gx = Tensor.uninitialized(xd.shape)
      xd.withUnsafeBufferPointer { xp in
        yd.withUnsafeBufferPointer { yp in
          g.withUnsafeBufferPointer { gp in
            gx.withUnsafeMutableBufferPointer { dp in
              LossKernels.withOptional(m) { mp in
                guard n > 0 else { return }
                let (x, y, d) = (xp.baseAddress!, yp.baseAddress!, dp.baseAddress!)
                // d = ∂ℓ/∂x per element (sign(x − y), 0 at 0; or 2(x − y)), then the scale,
                // then the mask: simple branch-free loops that vectorise.
                if squared {
                  for i in 0..<n { d[i] = 2 * (x[i] - y[i]) }
                } else {
                  for i in 0..<n {
                    let diff = x[i] - y[i]
                    let unit = Float(bitPattern: (diff.bitPattern & 0x8000_0000) | 0x3F80_0000)
                    d[i] = diff == 0 ? 0 : unit
                  }
                }
                if reduction == .none {
                  for i in 0..<n { d[i] *= gp[i] }
                } else {
                  for i in 0..<n { d[i] *= uniform }
                }
                if let mp {
                  for i in 0..<n {
                    let v = d[i] * mp[i]
                    d[i] = mp[i] == 0 ? 0 : v
                  }
                }
              }
            }
          }
        }
      }
      return [need[0] ? gx : nil, need[1] ? gx.negated() : nil]
    }
  }
}
