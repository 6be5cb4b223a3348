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
  /// - Parameter relativeTolerance: a coordinate is released from its bound only when its negative
  ///   gradient exceeds this times the problem's scale.
  public static func minimize(q: [[Double]], c: [Double], relativeTolerance: Double = 1e-13) -> [Double] {
    let n = c.count
    precondition(q.count == n && q.allSatisfy { $0.count == n }, "NonNegativeQP.minimize: Q is \(q.count)×\(q.first?.count ?? 0), c has \(n) entries")
    var x = [Double](repeating: 0, count: n)
    var free = [Bool](repeating: false, count: n)
    let scale = max(c.map(abs).max() ?? 0, q.flatMap { $0 }.map(abs).max() ?? 0, .leastNormalMagnitude)
    let tol = relativeTolerance * scale

    func negativeGradient() -> [Double] {
      (0..<n).map { i in c[i] - (0..<n).reduce(0) { $0 + q[i][$1] * x[$1] } }
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
      let w = negativeGradient()
      var j = -1
      for i in 0..<n where !free[i] && w[i] > tol && (j < 0 || w[i] > w[j]) { j = i }
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
