import AuxEngine

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The norm of all gradients of `parameters` taken together, as if concatenated into one vector
/// (`torch.nn.utils.get_total_norm` over the parameters' gradients).
///
/// Parameters without a gradient are ignored; with none at all the norm is 0. Sums are accumulated
/// in Double.
///
/// - Parameters:
///   - normType: p > 0 of the p-norm, or `.infinity` for the largest absolute value.
public func gradientNorm(_ parameters: [Parameter], normType: Float = 2) -> Float {
  precondition(normType > 0, "gradientNorm: normType must be > 0 or .infinity, got \(normType)")
  let p = Double(normType)
  var total = 0.0
  for param in parameters {
    guard let g = param.grad else { continue }
    g.withUnsafeBufferPointer { gp in
      let x = gp.baseAddress!
      let n = gp.count
      guard n > 0 else { return }
      if normType == .infinity {
        var m: Float = 0
        var sawNaN = false
        for i in 0..<n {
          let v = Swift.abs(x[i])
          if v > m { m = v }
          if v.isNaN { sawNaN = true }
        }
        total = sawNaN || total.isNaN ? .nan : Swift.max(total, Double(m))
      } else if normType == 2 {
        var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
        var i = 0
        while i &+ 4 <= n {
          let v0 = Double(x[i]), v1 = Double(x[i &+ 1]), v2 = Double(x[i &+ 2]), v3 = Double(x[i &+ 3])
          a0 += v0 * v0; a1 += v1 * v1; a2 += v2 * v2; a3 += v3 * v3
          i &+= 4
        }
        while i < n { a0 += Double(x[i]) * Double(x[i]); i &+= 1 }
        total += (a0 + a1) + (a2 + a3)
      } else if normType == 1 {
        var a = 0.0
        for i in 0..<n { a += Double(Swift.abs(x[i])) }
        total += a
      } else {
        var a = 0.0
        for i in 0..<n { a += pow(Double(Swift.abs(x[i])), p) }
        total += a
      }
    }
  }
  if normType == .infinity || normType == 1 { return Float(total) }
  if normType == 2 { return Float(total.squareRoot()) }
  return Float(pow(total, 1 / p))
}

/// Rescales the gradients of `parameters` in place so that their total norm is at most `maxNorm`,
/// exactly as `torch.nn.utils.clip_grad_norm_`, and returns the total norm before clipping.
///
/// The total norm is ``gradientNorm(_:normType:)``; every gradient is multiplied by
/// `min(maxNorm / (total + 1e-6), 1)` (computed in Float, as PyTorch does on a float32 norm).
/// Like PyTorch with `error_if_nonfinite=False`, a non-finite norm is returned and the gradients
/// are scaled by the resulting non-finite coefficient; check the returned value to skip a step.
///
/// - Parameters:
///   - maxNorm: the largest total norm allowed (≥ 0).
///   - normType: p > 0 of the p-norm, or `.infinity`.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float, normType: Float = 2) -> Float {
  precondition(maxNorm >= 0, "clipGradientNorm: maxNorm must be ≥ 0, got \(maxNorm)")
  let total = gradientNorm(parameters, normType: normType)
  let raw = maxNorm / (total + 1e-6)
  let c = raw.isNaN ? raw : Swift.min(raw, 1)  // torch.clamp(max: 1) keeps NaN
  for param in parameters {
    guard var g = param.grad else { continue }
    // Dropping the slot's reference first lets the multiplication happen in place.
    param.grad = nil
    g.withUnsafeMutableBufferPointer { gp in
      let x = gp.baseAddress!
      for i in 0..<gp.count { x[i] *= c }
    }
    param.grad = g
  }
  return total
}
