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
    var weightSum = 0.0
    withUnsafeBufferPointer { xp in
      target.withUnsafeBufferPointer { yp in
        perElement.withUnsafeMutableBufferPointer { ep in
          LossKernels.withOptional(m) { mp in
            guard n > 0 else { return }
            let (x, y, e) = (xp.baseAddress!, yp.baseAddress!, ep.baseAddress!)
            if let mp {
              for i in 0..<n {
                let mi = mp[i]
                if mi == 0 {
                  e[i] = 0
                  continue
                }
                let d = x[i] - y[i]
                e[i] = mi * (squared ? d * d : Swift.abs(d))
                weightSum += Double(mi)
              }
            } else {
              if squared {
                for i in 0..<n {
                  let d = x[i] - y[i]
                  e[i] = d * d
                }
              } else {
                for i in 0..<n { e[i] = Swift.abs(x[i] - y[i]) }
              }
              weightSum = Double(n)
            }
          }
        }
      }
    }
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
                for i in 0..<n {
                  let mi = mp?[i] ?? 1
                  if mi == 0 {
                    d[i] = 0
                    continue
                  }
                  let scale = (reduction == .none ? gp[i] : uniform) * mi
                  let diff = x[i] - y[i]
                  d[i] = squared ? scale * 2 * diff : (diff > 0 ? scale : (diff < 0 ? -scale : 0))
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
