/// UPGrad's weights (Quinton & Rey, "Jacobian Descent for Multi-Objective Optimization", arXiv
/// 2406.16232), following torchjd 0.18 (`aggregation/_upgrad.py`,
/// `_linalg/_dual_cone.py`, `_linalg/_gramian.py`) exactly:
///
/// 1. `K ← K / trace(K)` when `trace(K) ≥ normEps`, else `K ← 0` (torchjd's `normalize`; note the
///    threshold is absolute);
/// 2. `K ← K + regEps · I` (torchjd's `regularize`);
/// 3. for each task i, `v⁽ⁱ⁾ = argmin_v vᵀ K v` subject to `v ≥ u_i` with `u_i = e_i / T` (the
///    projection of `Gᵀ u_i` onto the dual cone of the gradients, by Proposition 1 of the paper);
/// 4. `α = Σ_i v⁽ⁱ⁾`; the aggregated gradient is `Σ_t α_t g_t`.
///
/// torchjd solves step 3 with quadprog; we solve it exactly with our active-set
/// ``NonNegativeQP`` (substituting `v = u + x`, `x ≥ 0`).
public enum UPGradSolver {
  /// The weights `α` for a Gramian (see the type's documentation).
  public static func weights(gramian k: [[Double]], normEps: Double = 1e-4, regEps: Double = 1e-4) -> [Double] {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "UPGradSolver.weights: Gramian must be square and non-empty, got \(n) rows")
    let kr = regularizedGramian(k, normEps: normEps, regEps: regEps)
    var alpha = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var u = [Double](repeating: 0, count: n)
      u[i] = 1 / Double(n)
      let v = projectionWeights(gramian: kr, preference: u)
      for t in 0..<n { alpha[t] += v[t] }
    }
    return alpha
  }

  /// The weights and the worst scale-free KKT residual of the T projections
  /// (``projectionResidual(gramian:preference:weights:)``), on the regularised Gramian.
  public static func solve(gramian k: [[Double]], normEps: Double = 1e-4, regEps: Double = 1e-4) -> (weights: [Double], residual: Double) {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "UPGradSolver.solve: Gramian must be square and non-empty, got \(n) rows")
    let kr = regularizedGramian(k, normEps: normEps, regEps: regEps)
    var alpha = [Double](repeating: 0, count: n)
    var worst = 0.0
    for i in 0..<n {
      var u = [Double](repeating: 0, count: n)
      u[i] = 1 / Double(n)
      let v = projectionWeights(gramian: kr, preference: u)
      worst = max(worst, projectionResidual(gramian: kr, preference: u, weights: v))
      for t in 0..<n { alpha[t] += v[t] }
    }
    return (alpha, worst)
  }

  /// The KKT residual of `v` for `min vᵀKv` subject to `v ≥ u`: optimality is `K v ≥ 0` with
  /// `(K v)_j = 0` where `v_j > u_j`. The complementarity violation of coordinate j is
  /// `min(|(Kv)_j|, (v_j − u_j) K_jj)` — what moving `v_j` back to its bound would change — so a
  /// coordinate that rounding left a hair above its bound does not count as free. Each violation is
  /// divided by `√K_jj · √(vᵀKv)`, so the residual is a cosine-like number (about 1e-16 at the
  /// exact projection).
  public static func projectionResidual(gramian k: [[Double]], preference u: [Double], weights v: [Double]) -> Double {
    let kv = SymmetricMatrix.multiply(k, v)
    let norm = max(zip(v, kv).reduce(0) { $0 + $1.0 * $1.1 }, 0).squareRoot()
    var worst = 0.0
    for j in v.indices {
      let size = max(k[j][j], 0).squareRoot() * norm
      guard size > 0 else { continue }
      var violation = max(-kv[j], 0)
      if v[j] > u[j] { violation = max(violation, min(abs(kv[j]), (v[j] - u[j]) * k[j][j])) }
      worst = max(worst, violation / size)
    }
    return worst
  }

  /// Steps 1–2: the normalised, regularised Gramian.
  public static func regularizedGramian(_ k: [[Double]], normEps: Double, regEps: Double) -> [[Double]] {
    let n = k.count
    let trace = (0..<n).reduce(0) { $0 + k[$1][$1] }
    var out = trace < normEps ? [[Double]](repeating: [Double](repeating: 0, count: n), count: n) : k.map { $0.map { $0 / trace } }
    for i in 0..<n { out[i][i] += regEps }
    return out
  }

  /// `argmin_v vᵀ K v` subject to `v ≥ u`, for a positive definite `K`: the weights of the
  /// projection of `Gᵀ u` onto the dual cone `{x : G x ≥ 0}`.
  public static func projectionWeights(gramian k: [[Double]], preference u: [Double]) -> [Double] {
    let n = u.count
    precondition(k.count == n, "UPGradSolver.projectionWeights: \(k.count)×\(k.count) Gramian with a preference of \(n)")
    // v = u + x: min xᵀKx + 2 (Ku)ᵀx over x ≥ 0, i.e. ½ xᵀ K x − (−K u)ᵀ x.
    let ku = SymmetricMatrix.multiply(k, u)
    let x = NonNegativeQP.minimize(q: k, c: ku.map { -$0 })
    return zip(u, x).map { $0 + $1 }
  }
}
