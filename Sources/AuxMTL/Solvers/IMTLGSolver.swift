/// The closed form of IMTL-G (Liu et al., ICLR 2021): weights `α` with `Σ α = 1` such that the
/// aggregated gradient `g = Σ α_t g_t` has equal projections on every task's unit gradient.
///
/// The paper writes `α_{2:T} = g_1 Uᵀ (D Uᵀ)⁻¹` with `D` and `U` the differences of gradients and
/// unit gradients to the first task's. An equivalent symmetric form (verified against the
/// paper's form in our tests) is `α ∝ K⁺ d` with `K = G Gᵀ` and `d_t = ‖g_t‖`, normalised to sum
/// to 1; the pseudo-inverse also handles linearly dependent gradients, with torchjd's convention
/// (the minimum-norm least-squares solution of `K α = d`).
///
/// `K⁺ d` is computed through the cosine matrix `C = D⁻¹ K D⁻¹` (`D = diag(d)`, unit diagonal),
/// whose conditioning does not depend on how the rows are scaled, with `C = V Λ Vᵀ` (rank r,
/// eigenvalues below `1e-10 · λ_max` dropped):
/// - full rank: `K⁻¹ d = D⁻¹ C⁻¹ 1` exactly;
/// - rank-deficient: `K = B Λ Bᵀ` with `B = D V_r` of full column rank, so
///   `K⁺ = (Bᵀ)⁺ Λ⁻¹ B⁺`, applied with a thin QR factorisation of `B`.
///
/// A direct pseudo-inverse of `K` (ours before issue 17, and torchjd's `torch.linalg.pinv`) treats
/// the small rows' eigenvalues as zero when the norms spread over 1e-4 … 1e4 (condition number
/// 1e16): on two such fixture Jacobians torchjd's aggregate misses the exact solution (60-digit
/// arithmetic) by 150× and 99 % and its projections are far from equal, while this form agrees
/// with it to 1e-16.
public enum IMTLGSolver {
  /// IMTL-G weights from a Gramian. Tasks with a zero gradient get weight 0; if every gradient is
  /// zero, or the weights cannot be normalised (`Σ K⁺ d = 0`), returns nil.
  public static func weights(gramian k: [[Double]]) -> [Double]? {
    let n = k.count
    let norms = (0..<n).map { max(k[$0][$0], 0).squareRoot() }
    let active = (0..<n).filter { norms[$0] > 0 }
    guard !active.isEmpty else { return nil }
    let s = active.map { norms[$0] }
    let m = active.count
    let c = (0..<m).map { i in (0..<m).map { j in k[active[i]][active[j]] / (s[i] * s[j]) } }
    let (values, vectors) = SymmetricMatrix.eigen(c)
    let top = values.map(abs).max() ?? 0
    let kept = (0..<m).filter { values[$0] > 1e-10 * top }
    guard !kept.isEmpty else { return nil }
    var raw: [Double]
    if kept.count == m {
      // D⁻¹ V Λ⁻¹ Vᵀ 1.
      raw = [Double](repeating: 0, count: m)
      for q in 0..<m {
        var proj = 0.0
        for i in 0..<m { proj += vectors[i][q] }
        let coef = proj / values[q]
        for i in 0..<m { raw[i] += coef * vectors[i][q] }
      }
      for i in 0..<m { raw[i] /= s[i] }
    } else {
      // B = D V_r (m × r); B = Q R; K⁺ d = Q R⁻ᵀ Λ⁻¹ R⁻¹ Qᵀ d.
      let r = kept.count
      let b = (0..<m).map { i in kept.map { s[i] * vectors[i][$0] } }
      let (q, rr) = thinQR(b)
      var y = (0..<r).map { a in (0..<m).reduce(0.0) { $0 + q[$1][a] * s[$1] } }
      // R⁻¹ y (upper triangular).
      for a in stride(from: r - 1, through: 0, by: -1) {
        var v = y[a]
        for b2 in (a + 1)..<max(a + 1, r) { v -= rr[a][b2] * y[b2] }
        y[a] = v / rr[a][a]
      }
      for a in 0..<r { y[a] /= values[kept[a]] }
      // R⁻ᵀ y (lower triangular).
      for a in 0..<r {
        var v = y[a]
        for b2 in 0..<a { v -= rr[b2][a] * y[b2] }
        y[a] = v / rr[a][a]
      }
      raw = (0..<m).map { i in (0..<r).reduce(0.0) { $0 + q[i][$1] * y[$1] } }
    }
    let total = raw.reduce(0, +)
    guard total.isFinite, abs(total) > 1e-300, raw.allSatisfy(\.isFinite) else { return nil }
    var alpha = [Double](repeating: 0, count: n)
    for (a, i) in active.enumerated() { alpha[i] = raw[a] / total }
    return alpha
  }

  /// How far the aggregate of `alpha` is from having equal projections on the unit gradients:
  /// `(max_t p_t − min_t p_t) / ‖g‖` with `p_t = ⟨g, g_t⟩ / ‖g_t‖` over the non-zero gradients
  /// and `g = Σ α_t g_t` (0 when `g = 0`). About 1e-16 when the gradients are linearly
  /// independent; when they are dependent no direction may have equal projections, and the
  /// pseudo-inverse's least-squares weights leave a residual of order 1.
  public static func equalProjectionResidual(gramian k: [[Double]], weights alpha: [Double]) -> Double {
    let ka = SymmetricMatrix.multiply(k, alpha)
    let g = max(zip(alpha, ka).reduce(0) { $0 + $1.0 * $1.1 }, 0).squareRoot()
    let p = k.indices.filter { k[$0][$0] > 0 }.map { ka[$0] / k[$0][$0].squareRoot() }
    guard g > 0, let hi = p.max(), let lo = p.min() else { return 0 }
    return (hi - lo) / g
  }

  /// The status of an IMTL-G solve for a ``StepReport``: a closed form (0 iterations) whose
  /// residual is ``equalProjectionResidual(gramian:weights:)``; when that exceeds 1e-6 (dependent
  /// gradients with no equal-projection direction) or there are no weights, the fallback says so.
  public static func status(gramian k: [[Double]], weights alpha: [Double]?) -> SolverStatus {
    guard let alpha else {
      return SolverStatus(solver: "imtl-g", converged: true, iterations: 0, fallback: "every task gradient is zero (or Σ K⁺d = 0): the shared parameters receive no gradient this step")
    }
    let r = equalProjectionResidual(gramian: k, weights: alpha)
    return SolverStatus(
      solver: "imtl-g", converged: true, iterations: 0, residual: r,
      fallback: r > 1e-6 ? "no direction has equal projections on these (linearly dependent) gradients: least-squares weights K⁺d" : nil)
  }

  /// Thin QR of an `m × r` matrix of full column rank (`r ≤ m`) by modified Gram–Schmidt with
  /// one reorthogonalisation pass ("twice is enough"): `Q` is `m × r` with orthonormal columns,
  /// `R` is `r × r` upper triangular with positive diagonal.
  static func thinQR(_ b: [[Double]]) -> (q: [[Double]], r: [[Double]]) {
    let m = b.count
    let r = b.first?.count ?? 0
    var q = b
    var rr = [[Double]](repeating: [Double](repeating: 0, count: r), count: r)
    for j in 0..<r {
      for _ in 0..<2 {
        for p in 0..<j {
          var dot = 0.0
          for i in 0..<m { dot += q[i][p] * q[i][j] }
          rr[p][j] += dot
          for i in 0..<m { q[i][j] -= dot * q[i][p] }
        }
      }
      var norm = 0.0
      for i in 0..<m { norm += q[i][j] * q[i][j] }
      norm = norm.squareRoot()
      rr[j][j] = norm
      if norm > 0 { for i in 0..<m { q[i][j] /= norm } }
    }
    return (q, rr)
  }
}
