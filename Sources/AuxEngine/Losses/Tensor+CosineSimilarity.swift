/// Cosine similarity along an axis, fused (PyTorch's `torch.nn.functional.cosine_similarity`).
extension Tensor {
  /// `Σ (x₁ / max(‖x₁‖, eps)) · (x₂ / max(‖x₂‖, eps))` along `axis`, which is removed.
  ///
  /// This is PyTorch 2.x's formula (ATen `cosine_similarity` in `Distance.cpp`): each vector is
  /// divided by its own norm clamped to `eps`, unlike PyTorch 1.x, which clamped the product
  /// `‖x₁‖·‖x₂‖` to `eps²`. The backward pass also matches PyTorch's: the clamp is applied without
  /// recording it, so where `‖x₁‖ < eps` the gradient still uses `∂‖x₁‖/∂x₁ = x₁/‖x₁‖`:
  ///
  ///     ∂cos/∂x₁ = x₂ / (c₁c₂) − (x₁·x₂) / (c₁²c₂) · x₁ / ‖x₁‖,   cᵢ = max(‖xᵢ‖, eps)
  ///
  /// (the second term is 0 when `‖x₁‖ == 0`). Above `eps` this is the exact derivative.
  ///
  /// - Parameters:
  ///   - other: a tensor of exactly this shape (PyTorch also broadcasts; here shapes must match).
  ///   - axis: the axis along which vectors lie (PyTorch's default `dim` is 1; negative axes count
  ///     from the end).
  ///   - eps: the lower bound of each norm (PyTorch's default 1e-8).
  public func cosineSimilarity(_ other: Tensor, axis: Int = 1, eps: Float = 1e-8) -> Tensor {
    precondition(other.shape == shape, "cosineSimilarity: shapes \(shape) and \(other.shape) differ")
    precondition(eps >= 0, "cosineSimilarity: eps must be ≥ 0, got \(eps)")
    let split = AxisSplit(shape, axis: axis, op: "cosineSimilarity")
    let (outer, n, inner) = (split.outer, split.size, split.inner)
    // Per output position: dot, ‖x₁‖, ‖x₂‖ (kept for the backward pass).
    var stats = Tensor.uninitialized([3, outer * inner])
    var out = Tensor.uninitialized(split.reducedShape(shape, keepDim: false))
    let m = outer * inner
    withUnsafeBufferPointer { ap in
      other.withUnsafeBufferPointer { bp in
        stats.withUnsafeMutableBufferPointer { sp in
          out.withUnsafeMutableBufferPointer { op in
            guard m > 0 else { return }
            let (dot, na, nb) = (sp.baseAddress!, sp.baseAddress! + m, sp.baseAddress! + 2 &* m)
            CosineKernels.statistics(
              ap.baseAddress!, bp.baseAddress!, outer: outer, size: n, inner: inner, dot: dot, normA: na, normB: nb)
            for j in 0..<m {
              op[j] = dot[j] / (Swift.max(na[j], eps) * Swift.max(nb[j], eps))
            }
          }
        }
      }
    }
    let (a, b) = (detached(), other.detached())
    return Tensor.record("cosine_similarity", output: out, inputs: [self, other]) { g, need in
      var ga: Tensor? = need[0] ? Tensor.uninitialized(a.shape) : nil
      var gb: Tensor? = need[1] ? Tensor.uninitialized(a.shape) : nil
      stats.withUnsafeBufferPointer { sp in
        g.withUnsafeBufferPointer { gp in
          a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
              guard m > 0, n > 0 else { return }
              let (dot, na, nb) = (sp.baseAddress!, sp.baseAddress! + m, sp.baseAddress! + 2 &* m)
              if ga != nil {
                ga!.withUnsafeMutableBufferPointer { dp in
                  CosineKernels.gradient(
                    gp.baseAddress!, x: ap.baseAddress!, y: bp.baseAddress!, dot: dot, normX: na,
                    normY: nb, eps: eps, outer: outer, size: n, inner: inner, into: dp.baseAddress!)
                }
              }
              if gb != nil {
                gb!.withUnsafeMutableBufferPointer { dp in
                  CosineKernels.gradient(
                    gp.baseAddress!, x: bp.baseAddress!, y: ap.baseAddress!, dot: dot, normX: nb,
                    normY: na, eps: eps, outer: outer, size: n, inner: inner, into: dp.baseAddress!)
                }
              }
            }
          }
        }
      }
      return [ga, gb]
    }
  }
}

/// Pointer kernels for cosine similarity over `[outer, size, inner]`.
public enum CosineKernels {
  /// Writes, for each `(o, i)`, the dot product and the two L2 norms along the middle axis
  /// (accumulated in Double).
  public static func statistics(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, outer: Int, size n: Int, inner: Int,
    dot: UnsafeMutablePointer<Float>, normA: UnsafeMutablePointer<Float>, normB: UnsafeMutablePointer<Float>
  ) {
    let chunk = 128
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * chunk) { buffer in
      let (d, sa, sb) = (buffer.baseAddress!, buffer.baseAddress! + chunk, buffer.baseAddress! + 2 * chunk)
      for o in 0..<outer {
        let baseA = a + o &* n &* inner
        let baseB = b + o &* n &* inner
        var start = 0
        while start < inner {
          let w = Swift.min(chunk, inner - start)
          for j in 0..<w {
            d[j] = 0
            sa[j] = 0
            sb[j] = 0
          }
          for k in 0..<n {
            let ra = baseA + (k &* inner &+ start)
            let rb = baseB + (k &* inner &+ start)
            for j in 0..<w {
              let x = Double(ra[j])
              let y = Double(rb[j])
              d[j] += x * y
              sa[j] += x * x
              sb[j] += y * y
            }
          }
          let out = o &* inner &+ start
          for j in 0..<w {
            dot[out &+ j] = Float(d[j])
            normA[out &+ j] = Float(sa[j].squareRoot())
            normB[out &+ j] = Float(sb[j].squareRoot())
          }
          start += w
        }
      }
    }
  }

  /// The gradient of the cosine similarity with respect to `x` (PyTorch's backward, see
  /// ``Tensor/cosineSimilarity(_:axis:eps:)``), for upstream `g` over the reduced positions.
  public static func gradient(
    _ g: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
    dot: UnsafePointer<Float>, normX nx: UnsafePointer<Float>, normY ny: UnsafePointer<Float>,
    eps: Float, outer: Int, size n: Int, inner: Int, into out: UnsafeMutablePointer<Float>
  ) {
    for o in 0..<outer {
      let base = o &* n &* inner
      for k in 0..<n {
        let off = base &+ k &* inner
        for i in 0..<inner {
          let j = o &* inner &+ i
          let cx = Swift.max(nx[j], eps)
          let cy = Swift.max(ny[j], eps)
          let inv = g[j] / (cx * cy)
          var v = inv * y[off &+ i]
          if nx[j] > 0 { v -= inv * dot[j] / cx * x[off &+ i] / nx[j] }
          out[off &+ i] = v
        }
      }
    }
  }
}
