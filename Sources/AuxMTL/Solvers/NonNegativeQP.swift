/// `min_{x ≥ 0} ½ xᵀ Q x − cᵀ x` for a small symmetric positive definite `Q`: the Lawson–Hanson
/// active-set algorithm (NNLS, "Solving Least Squares Problems", 1974, ch. 23) written on the
/// normal equations, so it needs only `Q` (for NNLS, `Q = AᵀA`, `c = Aᵀb`).
///
/// Finite and exact up to rounding: each inner step solves the unconstrained problem on the
/// current free set by Cholesky and moves back into the feasible region along the segment. Used by
/// UPGrad's dual-cone projection (``UPGradSolver``).
public enum NonNegativeQP {
  /// The minimiser. `Q` must be symmetric positive definite (its principal submatrices are then
  /// positive definite too).
  ///
  /// - Parameter relativeTolerance: a coordinate j is released from its bound only when its
  ///   negative gradient `c_j − (Qx)_j` exceeds this times the size of its terms,
  ///   `|c_j| + Σ_i |Q_ji x_i|` (its rounding level). A single threshold for all coordinates
  ///   (`1e-13 · max(|c|, |Q|)`, before issue 17) left coordinates of rows 1e4 times shorter than
  ///   the longest at their bound with a KKT violation of 2e-8 relative to their own scale.
  public static func minimize(q: [[Double]], c: [Double], relativeTolerance: Double = 1e-13) -> [Double] {
    let n = c.count
    precondition(q.count == n && q.allSatisfy { $0.count == n }, "NonNegativeQP.minimize: Q is \(q.count)×\(q.first?.count ?? 0), c has \(n) entries")
    var x = [Double](repeating: 0, count: n)
    var free = [Bool](repeating: false, count: n)
    /// The negative gradient and, per coordinate, the release threshold (its rounding level).
    func negativeGradient() -> (w: [Double], tol: [Double]) {
      var w = [Double](repeating: 0, count: n)
      var tol = [Double](repeating: 0, count: n)
      for i in 0..<n {
        var s = c[i]
        var size = abs(c[i])
        for j in 0..<n where x[j] != 0 {
          s -= q[i][j] * x[j]
          size += abs(q[i][j] * x[j])
        }
        w[i] = s
        tol[i] = max(relativeTolerance * size, .leastNormalMagnitude)
      }
      return (w, tol)
    }
    /// The unconstrained minimiser over the free set (zero elsewhere).
    func freeSolution() -> [Double]? {
      let idx = (0..<n).filter { free[$0] }
      guard let z = LinearSystem.choleskySolve(idx.map { i in idx.map { q[i][$0] } }, idx.map { c[$0] }) else { return nil }
      var out = [Double](repeating: 0, count: n)
      for (a, i) in idx.enumerated() { out[i] = z[a] }
      return out
    }

    for _ in 0..<(3 * n + 10) {
      let (w, tol) = negativeGradient()
      var j = -1
      for i in 0..<n where !free[i] && w[i] > tol[i] && (j < 0 || w[i] > w[j]) { j = i }
      guard j >= 0 else { break }
      free[j] = true
      var inner = 0
      while inner <= n {
        inner += 1
        guard let z = freeSolution() else {
          free[j] = false
          return x
        }
        var feasible = true
        for i in 0..<n where free[i] && z[i] <= 0 { feasible = false }
        if feasible {
          x = z
          break
        }
        var alpha = 1.0
        var leaving = -1
        for i in 0..<n where free[i] && z[i] <= 0 {
          let d = x[i] - z[i]
          let r = d > 0 ? x[i] / d : 0
          if leaving < 0 || r < alpha {
            alpha = r
            leaving = i
          }
        }
        for i in 0..<n where free[i] { x[i] += alpha * (z[i] - x[i]) }
        x[leaving] = 0
        for i in 0..<n where free[i] && x[i] <= 0 {
          free[i] = false
          x[i] = 0
        }
        if !free.contains(true) { break }
      }
    }
    return x
  }
}
