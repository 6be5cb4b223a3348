/// The minimum-norm point of the convex hull of T vectors, from their Gramian: MGDA's subproblem
/// `α* = argmin_{α ∈ Δ_T} ‖Σ_t α_t g_t‖²` (Sener & Koltun, NeurIPS 2018), and the
/// building block of ``CAGradSolver``.
///
/// Two solvers, both deterministic and working on `K = G Gᵀ` only:
/// - ``frankWolfe(gramian:maxIterations:tolerance:)`` — the reference procedure of
///   `isl-org/MultiObjectiveOptimization` (`min_norm_solvers.py`, `find_min_norm_element_FW`):
///   exact for T = 2; for T ≥ 3 initialised by the best pair, then Frank–Wolfe steps with exact
///   line search, at most 250 iterations, stopping when `‖Δα‖₁ < 1e-5`. One deliberate difference:
///   the reference's two-point solution clamps to 0.999 / 0.001 at the ends of the segment (so it
///   never returns an exact vertex); we return the exact minimiser (γ = 1 or 0).
/// - ``exact(gramian:)`` — Wolfe's (1976) finite active-set algorithm for the minimum-norm point
///   of a polytope, exact up to rounding; used where high accuracy is needed (CAGrad's inner
///   problem, MGDA's default `solver = exact`, and the tests).
public enum MinNormSolver {
  /// A point of the simplex and the squared norm of the combination it gives.
  public struct Solution: Sendable, Equatable {
    /// `α`, non-negative, summing to 1.
    public var weights: [Double]
    /// `αᵀ K α = ‖Σ_t α_t g_t‖²`.
    public var squaredNorm: Double
    /// Iterations used (Frank–Wolfe steps, or Wolfe's major cycles).
    public var iterations: Int
    /// Whether the solver met its stopping criterion (Frank–Wolfe: `‖Δα‖₁ < tolerance` before the
    /// iteration cap; Wolfe: normal termination with a KKT residual ≤ 1e-8).
    public var converged: Bool
    /// The KKT residual of `α` (``kktResidual(_:_:)``).
    public var residual: Double

    public init(weights: [Double], squaredNorm: Double, iterations: Int, converged: Bool, residual: Double) {
      self.weights = weights
      self.squaredNorm = squaredNorm
      self.iterations = iterations
      self.converged = converged
      self.residual = residual
    }

    /// The solve's status for a ``StepReport``, under the solver's name.
    public func status(_ solver: String) -> SolverStatus {
      SolverStatus(solver: solver, converged: converged, iterations: iterations, residual: residual)
    }
  }

  /// The scale-free KKT residual of a point `α` of the simplex for `min αᵀKα`.
  ///
  /// With `x = Σ α_t g_t`, optimality is `⟨x, g_j⟩ ≥ ‖x‖²` for every j, with equality where
  /// `α_j > 0`. Each violation is divided by `(‖g_j‖ + ‖x‖) · max(‖x‖, 1e-6 · Σ_t α_t ‖g_t‖)`,
  /// the size of the terms it is computed from, so the residual is a cosine-like number
  /// independent of how the rows are scaled (about 1e-16 at an exact solution). The floor is the
  /// Gramian's resolution: `‖x‖² = αᵀKα` carries an absolute error of about
  /// `ε (Σ α_t ‖g_t‖)²`, so a minimum norm below `√ε · Σ α_t ‖g_t‖ ≈ 1.5e-8 · Σ α_t ‖g_t‖` (0 in
  /// the hull, T > d) cannot be told from zero, and dividing by it would report rounding as a
  /// violation.
  public static func kktResidual(_ k: [[Double]], _ alpha: [Double]) -> Double {
    let n = k.count
    let ka = SymmetricMatrix.multiply(k, alpha)
    let xx = max(zip(alpha, ka).reduce(0) { $0 + $1.0 * $1.1 }, 0)
    let x = xx.squareRoot()
    let norms = (0..<n).map { max(k[$0][$0], 0).squareRoot() }
    let spread = zip(alpha, norms).reduce(0) { $0 + abs($1.0) * $1.1 }
    let floor = max(x, 1e-6 * spread)
    guard floor > 0 else { return 0 }
    var worst = 0.0
    for j in 0..<n {
      let gap = ka[j] - xx
      let violation = alpha[j] > 0 ? abs(gap) : max(-gap, 0)
      worst = max(worst, violation / ((norms[j] + x) * floor))
    }
    return worst
  }

  /// `min_{γ ∈ [0, 1]} ‖γ x₁ + (1 − γ) x₂‖²` from `v11 = ⟨x₁, x₁⟩`, `v12 = ⟨x₁, x₂⟩`,
  /// `v22 = ⟨x₂, x₂⟩`: returns the minimiser γ (the weight of `x₁`) and the minimum.
  public static func pair(_ v11: Double, _ v12: Double, _ v22: Double) -> (gamma: Double, cost: Double) {
    if v12 >= v11 { return (1, v11) }
    if v12 >= v22 { return (0, v22) }
    // Here v11 + v22 − 2 v12 = ‖x₁ − x₂‖² > 0 and the minimiser is interior.
    let gamma = (v22 - v12) / (v11 + v22 - 2 * v12)
    return (gamma, v22 + gamma * (v12 - v22))
  }

  /// The reference Frank–Wolfe solver (see the type's documentation).
  ///
  /// - Parameters:
  ///   - k: the symmetric positive semi-definite `T × T` Gramian, finite.
  ///   - maxIterations: Frank–Wolfe steps after the pair initialisation (reference: 250).
  ///   - tolerance: stop when an update changes `α` by less than this in ℓ₁ (reference: 1e-5).
  public static func frankWolfe(gramian k: [[Double]], maxIterations: Int = 250, tolerance: Double = 1e-5) -> Solution {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "MinNormSolver.frankWolfe: Gramian must be square and non-empty, got \(n) rows")
    if n == 1 { return Solution(weights: [1], squaredNorm: k[0][0], iterations: 0, converged: true, residual: 0) }
    var best = (i: 0, j: 1, gamma: 1.0, cost: Double.infinity)
    for i in 0..<n {
      for j in (i + 1)..<n {
        let (g, c) = pair(k[i][i], k[i][j], k[j][j])
        if c < best.cost { best = (i, j, g, c) }
      }
    }
    var sol = [Double](repeating: 0, count: n)
    sol[best.i] = best.gamma
    sol[best.j] = 1 - best.gamma
    if n < 3 { return Solution(weights: sol, squaredNorm: best.cost, iterations: 0, converged: true, residual: kktResidual(k, sol)) }

    var iterations = 0
    var converged = false
    while iterations < maxIterations {
      iterations += 1
      let ka = SymmetricMatrix.multiply(k, sol)
      var t = 0
      for i in 1..<n where ka[i] < ka[t] { t = i }
      let v11 = zip(sol, ka).reduce(0) { $0 + $1.0 * $1.1 }
      let (gamma, _) = pair(v11, ka[t], k[t][t])
      var next = sol.map { $0 * gamma }
      next[t] += 1 - gamma
      let change = zip(next, sol).reduce(0) { $0 + abs($1.0 - $1.1) }
      sol = next
      if change < tolerance {
        converged = true
        break
      }
    }
    return Solution(weights: sol, squaredNorm: quadratic(k, sol), iterations: iterations, converged: converged, residual: kktResidual(k, sol))
  }

  /// Wolfe's exact minimum-norm-point algorithm on the Gramian (see the type's documentation).
  ///
  /// When every gradient is zero, every `α` is optimal and the first vertex is returned. When the
  /// minimiser is not unique (affinely dependent gradients), one minimiser is returned; the
  /// combination `Σ α_t g_t` is unique.
  public static func exact(gramian k: [[Double]]) -> Solution {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "MinNormSolver.exact: Gramian must be square and non-empty, got \(n) rows")
    let scale = (0..<n).map { k[$0][$0] }.max() ?? 0
    var start = 0
    for i in 1..<max(1, n) where k[i][i] < k[start][start] { start = i }
    guard scale > 0, n > 1 else {
      var w = [Double](repeating: 0, count: n)
      w[start] = 1
      return Solution(weights: w, squaredNorm: k[start][start], iterations: 0, converged: true, residual: 0)
    }
    // Work on K / max diag (invariant weights); the bordered systems are further equilibrated
    // row by row in `affineMinimizer`, and the stopping test is relative to each row's norm, so
    // that rows whose norms differ by 1e8 are resolved as well as rows of equal norm.
    let kn = k.map { row in row.map { $0 / scale } }
    let rowNorms = (0..<n).map { max(kn[$0][$0], 0).squareRoot() }
    var support = [start]
    var lambda = [1.0]
    var majors = 0
    major: while majors < 10 * n + 10 {
      majors += 1
      var xp = [Double](repeating: 0, count: n)
      for (a, s) in support.enumerated() { for j in 0..<n { xp[j] += lambda[a] * kn[s][j] } }
      var xx = 0.0
      for (a, s) in support.enumerated() { xx += lambda[a] * xp[s] }
      // Wolfe's rule: the vertex with the smallest ⟨x, p_j⟩. Stop when it improves on x by no
      // more than rounding, measured like `kktResidual` (relative to ‖p_j‖ and ‖x‖; an absolute
      // slack would stop at once when the minimum norm is far below the largest row's).
      var j = 0
      for i in 1..<n where xp[i] < xp[j] { j = i }
      let xn = max(xx, 0).squareRoot()
      var spread = 0.0
      for (a, s) in support.enumerated() { spread += abs(lambda[a]) * rowNorms[s] }
      let slack = 1e-14 * (rowNorms[j] + xn) * max(xn, 1e-12 * spread)
      if xp[j] >= xx - slack || support.contains(j) { break }
      support.append(j)
      lambda.append(0)
      // Minor cycles: move towards the affine minimiser of the support, dropping points whose
      // weight reaches zero, until the affine minimiser lies inside the simplex of the support.
      for _ in 0...n {
        guard let mu = affineMinimizer(kn, support) else {
          // Numerically affinely dependent: the new point brings nothing; stop at the current x.
          if lambda.last == 0 {
            support.removeLast()
            lambda.removeLast()
          }
          break major
        }
        if mu.allSatisfy({ $0 > 0 }) {
          lambda = mu
          continue major
        }
        var theta = 1.0
        var leaving = -1
        for a in support.indices where mu[a] <= 0 {
          let d = lambda[a] - mu[a]
          let r = d > 0 ? lambda[a] / d : 0
          if leaving < 0 || r < theta {
            theta = r
            leaving = a
          }
        }
        for a in support.indices { lambda[a] += theta * (mu[a] - lambda[a]) }
        lambda[leaving] = 0
        if leaving == support.count - 1 && theta == 0 {
          // The point just added cannot enter: x is optimal to working precision.
          support.removeLast()
          lambda.removeLast()
          break major
        }
        var keep = [Int]()
        for a in support.indices where lambda[a] > 0 { keep.append(a) }
        support = keep.map { support[$0] }
        lambda = keep.map { lambda[$0] }
      }
    }
    let total = lambda.reduce(0, +)
    var w = [Double](repeating: 0, count: n)
    for (a, s) in support.enumerated() { w[s] = lambda[a] / total }
    let residual = kktResidual(k, w)
    return Solution(weights: w, squaredNorm: quadratic(k, w), iterations: majors, converged: residual <= 1e-8, residual: residual)
  }

  /// The minimiser of `‖Σ_{a} μ_a p_{S_a}‖²` subject to `Σ μ = 1` (no sign constraint), from the
  /// bordered system `[K_SS 1; 1ᵀ 0] [μ; ν] = [0; 1]`.
  ///
  /// The system is solved equilibrated, `E A E (E⁻¹ x) = E b` with
  /// `E = diag(1/‖p_a‖, …, σ)` and `σ = min_a ‖p_a‖`: the Gramian block becomes the cosine matrix
  /// (unit diagonal) and the border entries `σ/‖p_a‖ ≤ 1`. Without it, points whose norms differ by
  /// 1e8 give entries spread over 1e16, and the small points' pivots fall under the singularity
  /// threshold (`relativeTolerance · max|A|`) although the points are affinely independent; with
  /// it the threshold tests affine dependence of the directions, whatever the norms. Returns nil
  /// when the equilibrated system is numerically singular. When a point is zero, the minimiser is
  /// that point.
  static func affineMinimizer(_ k: [[Double]], _ support: [Int]) -> [Double]? {
    let m = support.count
    let s = support.map { max(k[$0][$0], 0).squareRoot() }
    if let zero = s.firstIndex(where: { !($0 > 0) }) { return (0..<m).map { $0 == zero ? 1 : 0 } }
    let sigma = s.min()!
    var a = [[Double]](repeating: [Double](repeating: 0, count: m + 1), count: m + 1)
    for i in 0..<m {
      for j in 0..<m { a[i][j] = k[support[i]][support[j]] / (s[i] * s[j]) }
      a[i][m] = sigma / s[i]
      a[m][i] = sigma / s[i]
    }
    var b = [Double](repeating: 0, count: m + 1)
    b[m] = sigma
    guard let z = LinearSystem.solve(a, b, relativeTolerance: 1e-14) else { return nil }
    return (0..<m).map { z[$0] / s[$0] }
  }

  /// `xᵀ K x`.
  static func quadratic(_ k: [[Double]], _ x: [Double]) -> Double {
    zip(x, SymmetricMatrix.multiply(k, x)).reduce(0) { $0 + $1.0 * $1.1 }
  }
}
