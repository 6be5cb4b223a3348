import AuxEngine

extension MTLStep {
  /// Task `t`'s loss as a rank-0 tensor.
  func scalarLoss(_ t: Int) -> Tensor { losses[t].reshaped([]) }

  /// `Σ_t c_t · L_t` with constant coefficients (recorded for autodiff through the losses).
  func weightedLossSum(_ c: [Double]) -> Tensor {
    precondition(c.count == losses.count, "weightedLossSum: \(c.count) coefficients for \(losses.count) losses")
    var total: Tensor? = nil
    for t in losses.indices {
      let term = scalarLoss(t) * Float(c[t])
      total = total.map { $0 + term } ?? term
    }
    return total!
  }

  /// A type (A) update: back-propagates `objective` (built from ``losses`` and the method's own
  /// parameters) through the decoders and the method's parameters, then the sum of the per-task
  /// feature gradients through the encoder, once. Together this equals one ordinary backward pass
  /// of `objective`.
  ///
  /// Returns the per-task feature gradients of `objective` (empty without shared features). An
  /// objective that depends on nothing trainable is a no-op.
  @discardableResult
  func backwardLossObjective(_ objective: Tensor) throws -> [Tensor] {
    guard objective.requiresGrad else {
      return shared.map { s in s.aliases.map { Tensor.zeros($0.shape) } } ?? []
    }
    let h = backwardDecoders(objective)
    if !h.isEmpty { try backwardEncoder(FeatureMath.sum(h)) }
    return h
  }
}

/// Small Double-accumulated vector helpers on flattened tensors (feature gradients).
enum FeatureMath {
  /// `Σ_k ts[k]` (all of one shape) in one pass per tensor.
  static func sum(_ ts: [Tensor], weights: [Float]? = nil) -> Tensor {
    precondition(!ts.isEmpty, "FeatureMath.sum: no tensors")
    var out = Tensor.zeros(ts[0].shape)
    let n = out.count
    out.withUnsafeMutableBufferPointer { o in
      for (k, t) in ts.enumerated() {
        precondition(t.count == n, "FeatureMath.sum: tensor \(k) has shape \(t.shape), expected \(ts[0].shape)")
        let w = weights?[k] ?? 1
        if w == 0 { continue }
        t.withUnsafeBufferPointer { s in
          if w == 1 {
            for i in 0..<n { o[i] += s[i] }
          } else {
            for i in 0..<n { o[i] += w * s[i] }
          }
        }
      }
    }
    return out
  }

  /// `⟨a, b⟩` accumulated in Double, over four interleaved partial sums (a single serial sum
  /// waits on the adder's latency at every element; feature maps have 10⁵–10⁶ elements).
  static func dot(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.count == b.count, "FeatureMath.dot: \(a.shape) and \(b.shape)")
    return a.withUnsafeBufferPointer { x in
      b.withUnsafeBufferPointer { y in
        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
        let n = x.count
        var i = 0
        while i + 4 <= n {
          s0 += Double(x[i]) * Double(y[i])
          s1 += Double(x[i + 1]) * Double(y[i + 1])
          s2 += Double(x[i + 2]) * Double(y[i + 2])
          s3 += Double(x[i + 3]) * Double(y[i + 3])
          i += 4
        }
        while i < n {
          s0 += Double(x[i]) * Double(y[i])
          i += 1
        }
        return (s0 + s1) + (s2 + s3)
      }
    }
  }

  /// Euclidean norm accumulated in Double.
  static func norm(_ a: Tensor) -> Double { dot(a, a).squareRoot() }
}
