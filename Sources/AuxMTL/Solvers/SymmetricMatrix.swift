/// Small dense symmetric matrices in Double: the T×T Gramians of the weighting methods.
///
/// Deterministic, dependency-free routines (no LAPACK): cyclic Jacobi eigendecomposition, and a
/// pseudo-inverse solve built on it. T is at most a few dozen, so O(T³) per sweep is negligible.
public enum SymmetricMatrix {
  /// Eigenvalues (ascending) and eigenvectors (columns of `vectors`, `vectors[i][k]` is component i
  /// of eigenvector k) of the symmetric matrix `a`, by cyclic Jacobi rotations.
  public static func eigen(_ a: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
    let n = a.count
    precondition(a.allSatisfy { $0.count == n }, "SymmetricMatrix.eigen: matrix is not square")
    var m = a
    var v = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : 0.0 } }
    let scale = max(a.flatMap { $0 }.map(abs).max() ?? 0, Double.leastNormalMagnitude)
    for _ in 0..<100 {
      var off = 0.0
      for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { off += m[i][j] * m[i][j] } }
      if off.squareRoot() <= 1e-15 * scale { break }
      for p in 0..<n {
        for q in (p + 1)..<max(p + 1, n) where m[p][q] != 0 {
          let theta = (m[q][q] - m[p][p]) / (2 * m[p][q])
          let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
          let c = 1 / (t * t + 1).squareRoot()
          let s = t * c
          for k in 0..<n {
            let mkp = m[k][p]
            let mkq = m[k][q]
            m[k][p] = c * mkp - s * mkq
            m[k][q] = s * mkp + c * mkq
          }
          for k in 0..<n {
            let mpk = m[p][k]
            let mqk = m[q][k]
            m[p][k] = c * mpk - s * mqk
            m[q][k] = s * mpk + c * mqk
          }
          for k in 0..<n {
            let vkp = v[k][p]
            let vkq = v[k][q]
            v[k][p] = c * vkp - s * vkq
            v[k][q] = s * vkp + c * vkq
          }
        }
      }
    }
    let order = (0..<n).sorted { m[$0][$0] < m[$1][$1] }
    let values = order.map { m[$0][$0] }
    let vectors = (0..<n).map { i in order.map { v[i][$0] } }
    return (values, vectors)
  }

  /// `A⁺ b` for symmetric `A` (Moore–Penrose pseudo-inverse): eigenvalues below
  /// `relativeTolerance · max|λ|` are treated as zero.
  public static func pseudoInverseSolve(_ a: [[Double]], _ b: [Double], relativeTolerance: Double = 1e-10) -> [Double] {
    let n = a.count
    precondition(b.count == n, "SymmetricMatrix.pseudoInverseSolve: \(n)×\(n) matrix with a vector of \(b.count)")
    let (values, vectors) = eigen(a)
    let cutoff = relativeTolerance * (values.map(abs).max() ?? 0)
    var x = [Double](repeating: 0, count: n)
    for k in 0..<n where abs(values[k]) > cutoff && values[k] != 0 {
      var proj = 0.0
      for i in 0..<n { proj += vectors[i][k] * b[i] }
      let c = proj / values[k]
      for i in 0..<n { x[i] += c * vectors[i][k] }
    }
    return x
  }

  /// `A x` for a square matrix.
  public static func multiply(_ a: [[Double]], _ x: [Double]) -> [Double] {
    a.map { row in zip(row, x).reduce(0) { $0 + $1.0 * $1.1 } }
  }
}
