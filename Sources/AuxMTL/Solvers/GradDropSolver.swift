import AuxEngine

/// GradDrop's sign-dropout of feature gradients (Chen et al., "Just Pick a Sign: Optimizing Deep
/// Multitask Models with Gradient Sign Dropout", NeurIPS 2020), as LibMTL's
/// `GradDrop` (the "GradDrop layer" at the shared representation `z`):
///
/// - `G_t = Σ_batch sign(z) ⊙ ∂L_t/∂z` (summed over the first dimension of `z`);
/// - purity `P = ½ (1 + Σ_t G_t / (Σ_t |G_t| + 1e-7))` (element-wise; LibMTL's 1e-7);
/// - with `U ~ U(0, 1)` element-wise, `M_t = 1[P > U] · 1[G_t > 0] + 1[P < U] · 1[G_t < 0]`;
/// - the new feature gradient is `Σ_t (ℓ + (1 − ℓ) M_t) ⊙ ∂L_t/∂z`, `M_t` broadcast over the batch.
public enum GradDropSolver {
  /// The masked, summed feature gradient, and for each task the fraction of its squared norm that
  /// was kept, `⟨(ℓ + (1−ℓ)M_t) ⊙ h_t, h_t⟩ / ‖h_t‖²` (0 for a zero gradient).
  ///
  /// - Parameters:
  ///   - h: the per-task feature gradients, each of the shape of `z`.
  ///   - z: the shared features (only their signs are used).
  ///   - uniforms: `U`, one value per element of a sample (`z.count / z.shape[0]`).
  ///   - leak: ℓ ∈ [0, 1].
  public static func combine(featureGradients h: [Tensor], features z: Tensor, uniforms: Tensor, leak: Float) -> (gradient: Tensor, kept: [Double]) {
    precondition(!h.isEmpty, "GradDropSolver.combine: no feature gradients")
    let batch = z.rank >= 1 ? max(z.shape[0], 1) : 1
    let total = z.count
    let f = total / batch
    precondition(uniforms.count == f, "GradDropSolver.combine: \(uniforms.count) uniforms for \(f) elements per sample (features \(z.shape))")
    for (t, g) in h.enumerated() {
      precondition(g.shape == z.shape, "GradDropSolver.combine: feature gradient \(t) has shape \(g.shape), features have \(z.shape)")
    }
    let tasks = h.count
    // G[t, i] and the purity P[i], in Double.
    var signed = [Double](repeating: 0, count: tasks * f)
    var out = Tensor.zeros(z.shape)
    var kept = [Double](repeating: 0, count: tasks)
    z.withUnsafeBufferPointer { zp in
      signed.withUnsafeMutableBufferPointer { gp in
        for (t, g) in h.enumerated() {
          g.withUnsafeBufferPointer { hp in
            let row = gp.baseAddress! + t * f
            for b in 0..<batch {
              let base = b * f
              for i in 0..<f {
                let s = zp[base + i]
                if s > 0 { row[i] += Double(hp[base + i]) } else if s < 0 { row[i] -= Double(hp[base + i]) }
              }
            }
          }
        }
        var purity = [Double](repeating: 0, count: f)
        purity.withUnsafeMutableBufferPointer { pp in
          for i in 0..<f {
            var sum = 0.0
            var abs = 0.0
            for t in 0..<tasks {
              let v = gp[t * f + i]
              sum += v
              abs += Swift.abs(v)
            }
            pp[i] = 0.5 * (1 + sum / (abs + 1e-7))
          }
          var coef = [Float](repeating: 0, count: f)
          uniforms.withUnsafeBufferPointer { up in
            coef.withUnsafeMutableBufferPointer { cp in
              out.withUnsafeMutableBufferPointer { op in
                for (t, g) in h.enumerated() {
                  let row = gp.baseAddress! + t * f
                  for i in 0..<f {
                    let p = pp[i]
                    let u = Double(up[i])
                    let keep = (p > u && row[i] > 0) || (p < u && row[i] < 0)
                    cp[i] = keep ? 1 : leak
                  }
                  g.withUnsafeBufferPointer { hp in
                    var keptSq = 0.0
                    var allSq = 0.0
                    for b in 0..<batch {
                      let base = b * f
                      for i in 0..<f {
                        let v = hp[base + i]
                        let c = cp[i]
                        op[base + i] += c * v
                        let v2 = Double(v) * Double(v)
                        keptSq += Double(c) * v2
                        allSq += v2
                      }
                    }
                    kept[t] = allSq > 0 ? keptSq / allSq : 0
                  }
                }
              }
            }
          }
        }
      }
    }
    return (out, kept)
  }
}
