/// Aligned-MTL's weights (Senushkin et al., "Independent Component Alignment for Multi-Task
/// Learning", CVPR 2023), following the authors' code (`SamsungLabs/MTL`
/// `code/optim/aligned/solver.py`, `balancer.py`) and LibMTL's `Aligned_MTL`:
///
/// `K = V Λ Vᵀ`; keep the eigenpairs with `λ > λ_max · T · ε` (ε = Float's machine epsilon, the
/// reference's `torch.finfo().eps` for float32 gradients), rank R; the balance transformation is
/// `B = √s · V_R Λ_R^{-1/2} V_Rᵀ` with `s` = the smallest kept eigenvalue (`min`), the median kept
/// eigenvalue (`median`, torch's lower median for an even count) or their mean (`rmse`); the
/// weights are `α = B 1` (the reference sums the aligned gradients; torchjd's `AlignedMTL`
/// multiplies by a uniform preference `1/T` instead, i.e. returns `α / T`). The aligned
/// gradients `G_aligned = Bᵀ G` have orthogonal components of equal norm √s.
public enum AlignedMTLSolver {
  /// Which eigenvalue sets the common scale of the aligned components.
  public enum Scale: String, Sendable, CaseIterable {
    case min, median, rmse
  }

  /// The weights `α = B 1` and the rank R. When every eigenvalue is below the threshold (all
  /// gradients zero), returns `α = 1` (B = I, as torchjd) and rank 0.
  public static func weights(gramian k: [[Double]], scale: Scale) -> (weights: [Double], rank: Int) {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "AlignedMTLSolver.weights: Gramian must be square and non-empty, got \(n) rows")
    let (values, vectors) = SymmetricMatrix.eigen(k)
    let lmax = values.max()!
    let tol = lmax * Double(n) * Double(Float.ulpOfOne)
    let kept = (0..<n).filter { values[$0] > tol && values[$0] > 0 }
    guard !kept.isEmpty else { return ([Double](repeating: 1, count: n), 0) }
    let ascending = kept.map { values[$0] }.sorted()
    let s: Double
    switch scale {
    case .min: s = ascending[0]
    case .median: s = ascending[(ascending.count - 1) / 2]
    case .rmse: s = ascending.reduce(0, +) / Double(ascending.count)
    }
    var alpha = [Double](repeating: 0, count: n)
    for c in kept {
      let colSum = (0..<n).reduce(0) { $0 + vectors[$1][c] }
      let f = s.squareRoot() / values[c].squareRoot() * colSum
      for i in 0..<n { alpha[i] += f * vectors[i][c] }
    }
    return (alpha, kept.count)
  }
}
