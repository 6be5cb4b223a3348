/// The closed form of IMTL-G (Liu et al., ICLR 2021): weights `α` with `Σ α = 1` such that the
/// aggregated gradient `g = Σ α_t g_t` has equal projections on every task's unit gradient.
///
/// The paper writes `α_{2:T} = g_1 Uᵀ (D Uᵀ)⁻¹` with `D` and `U` the differences of gradients and
/// unit gradients to the first task's. An equivalent symmetric form(verified against the
/// paper's form in our tests) is `α ∝ K⁺ d` with `K = G Gᵀ` and `d_t = ‖g_t‖`, normalised to sum
/// to 1; the pseudo-inverse also handles linearly dependent gradients (as torchjd does).
public enum IMTLGSolver {
  /// IMTL-G weights from a Gramian. Tasks with a zero gradient get weight 0; if every gradient is
  /// zero, returns nil.
  public static func weights(gramian k: [[Double]]) -> [Double]? {
    let n = k.count
    let norms = (0..<n).map { max(k[$0][$0], 0).squareRoot() }
    let active = (0..<n).filter { norms[$0] > 0 }
    guard !active.isEmpty else { return nil }
    let sub = active.map { i in active.map { j in k[i][j] } }
    let raw = SymmetricMatrix.pseudoInverseSolve(sub, active.map { norms[$0] })
    let total = raw.reduce(0, +)
    guard total.isFinite, abs(total) > 1e-300 else { return nil }
    var alpha = [Double](repeating: 0, count: n)
    for (k, i) in active.enumerated() { alpha[i] = raw[k] / total }
    return alpha
  }
}
