/// Small dense linear systems in Double, for the weighting methods' T×T solvers.
///
/// Deterministic and dependency-free (no LAPACK): Gaussian elimination with partial pivoting for
/// general square systems, Cholesky for symmetric positive definite ones.
public enum LinearSystem {
  /// Solves `A x = b` by Gaussian elimination with partial pivoting; nil when a pivot is below
  /// `relativeTolerance · max|A|` (numerically singular).
  public static func solve(_ a: [[Double]], _ b: [Double], relativeTolerance: Double = 1e-13) -> [Double]? {
    let n = a.count
    precondition(b.count == n && a.allSatisfy { $0.count == n }, "LinearSystem.solve: \(n)×\(a.first?.count ?? 0) matrix with a vector of \(b.count)")
    if n == 0 { return [] }
    var m = a
    var x = b
    let scale = a.flatMap { $0 }.map(abs).max() ?? 0
    guard scale > 0, scale.isFinite else { return nil }
    let tol = relativeTolerance * scale
    for col in 0..<n {
      var p = col
      for r in (col + 1)..<max(col + 1, n) where abs(m[r][col]) > abs(m[p][col]) { p = r }
      guard abs(m[p][col]) > tol else { return nil }
      if p != col {
        m.swapAt(p, col)
        x.swapAt(p, col)
      }
      let pivot = m[col][col]
      for r in (col + 1)..<max(col + 1, n) {
        let f = m[r][col] / pivot
        guard f != 0 else { continue }
        for c in col..<n { m[r][c] -= f * m[col][c] }
        x[r] -= f * x[col]
      }
    }
    for r in stride(from: n - 1, through: 0, by: -1) {
      var s = x[r]
      for c in (r + 1)..<max(r + 1, n) { s -= m[r][c] * x[c] }
      x[r] = s / m[r][r]
    }
    return x.allSatisfy(\.isFinite) ? x : nil
  }

  /// The lower-triangular Cholesky factor `L` with `A = L Lᵀ`, or nil when `A` is not (numerically)
  /// positive definite.
  public static func cholesky(_ a: [[Double]]) -> [[Double]]? {
    let n = a.count
    precondition(a.allSatisfy { $0.count == n }, "LinearSystem.cholesky: matrix is not square")
    var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for j in 0..<n {
      var d = a[j][j]
      for k in 0..<j { d -= l[j][k] * l[j][k] }
      guard d > 0, d.isFinite else { return nil }
      let ljj = d.squareRoot()
      l[j][j] = ljj
      for i in (j + 1)..<max(j + 1, n) {
        var s = a[i][j]
        for k in 0..<j { s -= l[i][k] * l[j][k] }
        l[i][j] = s / ljj
      }
    }
    return l
  }

  /// Solves `A x = b` for symmetric positive definite `A` by Cholesky; nil when `A` is not
  /// positive definite.
  public static func choleskySolve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
    let n = a.count
    precondition(b.count == n, "LinearSystem.choleskySolve: \(n)×\(n) matrix with a vector of \(b.count)")
    guard let l = cholesky(a) else { return nil }
    var y = b
    for i in 0..<n {
      var s = y[i]
      for k in 0..<i { s -= l[i][k] * y[k] }
      y[i] = s / l[i][i]
    }
    for i in stride(from: n - 1, through: 0, by: -1) {
      var s = y[i]
      for k in (i + 1)..<max(i + 1, n) { s -= l[k][i] * y[k] }
      y[i] = s / l[i][i]
    }
    return y
  }
}
