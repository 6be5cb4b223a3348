#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Nash bargaining weights of Nash-MTL (Navon et al., "Multi-Task Learning as a Bargaining
/// Game", ICML 2022): `α ∈ ℝ^T_{>0}` with `(K α)_t = 1 / α_t` for every task.
///
/// This system is the optimality condition of the strictly convex problem
/// `min_{α > 0} F(α) = ½ αᵀ K α − Σ_t log α_t`. We solve it with a damped Newton method
/// (step `1/(1+λ)` while the Newton decrement λ exceeds ¼, full steps after; `F` is
/// self-concordant, so every iterate stays positive and convergence is quadratic near the
/// solution) on the Frobenius-normalised `K̃ = K / ‖K‖_F` for conditioning, then rescale:
/// `α = α̃ / √‖K‖_F` solves the original system.
///
/// The reference (`AvivNavon/nash-mtl`, and torchjd's port) also normalises `K`, but carries the
/// factor into its constraint `α_t (K̃α)_t ≥ 1/‖K‖_F`, and approaches the same solution by a
/// sequence of at most 20 CCCP convex problems (cvxpy + ECOS), stopping at a residual of 1e-3.
/// Its fixed point is therefore this system with the *unnormalised* K (verified against torchjd
/// in the tests); we solve that system exactly instead of approximately.
///
/// A task with a zero gradient has no finite solution (`α_t → ∞`); such tasks are left out of the
/// system and given weight 0. If the remaining `K` has a non-negative null vector (e.g. exactly
/// opposite gradients), `F` is unbounded below and there is no solution either; Newton then does
/// not converge and the result says so (`converged == false`).
public enum NashMTLSolver {
  /// The outcome of one solve.
  public struct Result: Sendable, Equatable {
    /// `α` for the given (unnormalised) `K`; 0 for tasks left out.
    public var weights: [Double]
    /// `α̃` for the normalised `K̃` (the warm start of the next solve); 0 for tasks left out.
    public var normalizedWeights: [Double]
    /// Newton iterations.
    public var iterations: Int
    /// Whether `max_t |(K̃α̃)_t − 1/α̃_t| ≤ tolerance · max(1, max_t 1/α̃_t)` was reached.
    public var converged: Bool
    /// Indices of tasks with a zero gradient, left out.
    public var zeroTasks: [Int]
  }

  /// Solves `(K α)_t = 1/α_t`.
  ///
  /// - Parameters:
  ///   - k: the `T × T` Gramian (positive semi-definite, finite).
  ///   - warmStart: a previous ``Result/normalizedWeights`` (entries ≤ 0 or non-finite are replaced
  ///     by 1); nil starts from ones, as the reference does.
  public static func solve(gramian k: [[Double]], warmStart: [Double]? = nil, maxIterations: Int = 500, tolerance: Double = 1e-12) -> Result {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "NashMTLSolver.solve: Gramian must be square and non-empty, got \(n) rows")
    precondition(warmStart == nil || warmStart!.count == n, "NashMTLSolver.solve: warm start has \(warmStart!.count) entries for \(n) tasks")
    let active = (0..<n).filter { k[$0][$0] > 0 }
    let zeroTasks = (0..<n).filter { !(k[$0][$0] > 0) }
    var result = Result(weights: [Double](repeating: 0, count: n), normalizedWeights: [Double](repeating: 0, count: n), iterations: 0, converged: true, zeroTasks: zeroTasks)
    guard !active.isEmpty else { return result }
    let m = active.count
    var frob = 0.0
    for i in active { for j in active { frob += k[i][j] * k[i][j] } }
    frob = frob.squareRoot()
    let kn = active.map { i in active.map { j in k[i][j] / frob } }
    var alpha = active.map { t -> Double in
      let w = warmStart?[t] ?? 1
      return w > 0 && w.isFinite ? w : 1
    }

    var converged = false
    var iterations = 0
    while iterations < maxIterations {
      let ka = SymmetricMatrix.multiply(kn, alpha)
      let r = (0..<m).map { ka[$0] - 1 / alpha[$0] }
      let scale = max(1, alpha.map { 1 / $0 }.max()!)
      if r.map(abs).max()! <= tolerance * scale {
        converged = true
        break
      }
      iterations += 1
      var h = kn
      for i in 0..<m { h[i][i] += 1 / (alpha[i] * alpha[i]) }
      guard let step = LinearSystem.choleskySolve(h, r.map { -$0 }) else { break }
      let decrement = max(-zip(r, step).reduce(0) { $0 + $1.0 * $1.1 }, 0).squareRoot()
      var t = decrement > 0.25 ? 1 / (1 + decrement) : 1
      // Self-concordance keeps α + tΔ > 0; guard against rounding anyway.
      while (0..<m).contains(where: { alpha[$0] + t * step[$0] <= 0 }) && t > 1e-300 { t *= 0.5 }
      for i in 0..<m { alpha[i] += t * step[i] }
      if !alpha.allSatisfy({ $0.isFinite && $0 > 0 }) { break }
    }
    result.iterations = iterations
    result.converged = converged && alpha.allSatisfy { $0.isFinite && $0 > 0 }
    let s = 1 / frob.squareRoot()
    for (a, t) in active.enumerated() {
      result.normalizedWeights[t] = alpha[a]
      result.weights[t] = alpha[a] * s
    }
    return result
  }
}
