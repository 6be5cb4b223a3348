/// CAGrad's inner problem (Liu et al., "Conflict-Averse Gradient Descent for Multi-task
/// Learning", NeurIPS 2021), solved to high accuracy from the Gramian.
///
/// With `g₀ = (1/T) Σ_t g_t` and `g_w = Σ_t w_t g_t`, find
/// `w* = argmin_{w ∈ Δ_T} g_wᵀ g₀ + ρ ‖g_w‖`, `ρ = c ‖g₀‖`, then the update direction is
/// `d = g₀ + (ρ / ‖g_w*‖) g_w*`, i.e. the weights `1/T + (ρ / ‖g_w*‖) w*_t`.
///
/// The reference code solves the inner problem with SciPy's SLSQP from the uniform start (an
/// approximate solution); torchjd uses cvxpy/Clarabel. We solve it exactly: writing
/// `ρ‖g_w‖ = min_{τ>0} ρ (‖g_w‖² / 2τ + τ / 2)`, the problem for fixed τ is the minimum-norm point
/// of the translated gradients `g_t + (τ/ρ) g₀` (the linear term `g_wᵀg₀` completes the square
/// because `Σ w = 1`), solved exactly by ``MinNormSolver/exact(gramian:)``; the outer function of
/// τ is convex with derivative `ρ/2 · (1 − ‖g_w(τ)‖²/τ²)`, whose root `τ* = ‖g_w*‖` is found by
/// bisection to machine precision.
public enum CAGradSolver {
  /// The solution of one step.
  public struct Result: Sendable, Equatable {
    /// `w*` on the simplex.
    public var simplexWeights: [Double]
    /// The weights of `d` on the task gradients: `1/T + (ρ/‖g_w*‖) w*_t` (before any rescaling).
    public var directionWeights: [Double]
    /// `ρ / ‖g_w*‖` (0 when the correction is dropped).
    public var lambda: Double
    /// True when `‖g_w*‖ ≤ normEps · Σ_t w*_t ‖g_t‖` (the combination cancels: approximately
    /// Pareto-stationary) or every gradient is zero: then the direction is zero.
    public var onParetoFront: Bool
    /// Root-finding steps on τ (each one exact min-norm solve).
    public var iterations: Int = 0
    /// Whether every inner min-norm solve converged and the final `w*` meets the dual's KKT
    /// conditions to `residual ≤ 1e-6`.
    public var converged: Bool = true
    /// The dual's scale-free KKT residual at `w*` (``kktResidual(gramian:weights:c:)``); nil when
    /// it is not defined (`g_w* = 0`, or no ball).
    public var residual: Double? = nil

    /// The solve's status for a ``StepReport``: a zero direction (Pareto-stationary, or every
    /// gradient zero) is reported as a fallback, since CAGrad's direction is not defined there.
    public func status() -> SolverStatus {
      SolverStatus(
        solver: "cagrad dual", converged: converged, iterations: iterations, residual: residual,
        fallback: onParetoFront ? "the conflict-averse direction vanishes (‖g_w*‖ ≤ norm_eps · Σ w*_t ‖g_t‖: approximately Pareto-stationary, or every gradient zero): no shared gradient this step" : nil)
    }
  }

  /// The scale-free KKT residual of `w` on the simplex for the dual
  /// `f(w) = g_wᵀg₀ + ρ‖g_w‖`, `ρ = c‖g₀‖`.
  ///
  /// With `∇_j = ⟨g_j, g₀⟩ + ρ ⟨g_j, g_w⟩ / ‖g_w‖`, optimality is `∇_j ≥ Σ_i w_i ∇_i` for every j,
  /// with equality where `w_j > 0`; each violation is divided by `‖g_j‖ (‖g₀‖ + ρ)`, the size of
  /// the terms of `∇_j`, so the residual does not depend on how the rows are scaled. nil when
  /// `g_w = 0` (f is not differentiable there).
  public static func kktResidual(gramian k: [[Double]], weights w: [Double], c: Double) -> Double? {
    let n = k.count
    let tn = Double(n)
    let b = k.map { $0.reduce(0, +) / tn }
    let g0 = max(b.reduce(0, +) / tn, 0).squareRoot()
    let rho = c * g0
    let kw = SymmetricMatrix.multiply(k, w)
    let gw = max(zip(w, kw).reduce(0) { $0 + $1.0 * $1.1 }, 0).squareRoot()
    guard gw > 0 else { return nil }
    let grad = (0..<n).map { b[$0] + rho * kw[$0] / gw }
    let mean = zip(w, grad).reduce(0) { $0 + $1.0 * $1.1 }
    var worst = 0.0
    for j in 0..<n {
      let norm = max(k[j][j], 0).squareRoot()
      let gap = grad[j] - mean
      let violation = w[j] > 0 ? abs(gap) : max(-gap, 0)
      let size = norm * (g0 + rho)
      if size > 0 { worst = max(worst, violation / size) }
    }
    return worst
  }

  /// Solves the inner problem and returns the direction's weights.
  ///
  /// - Parameters:
  ///   - k: the `T × T` Gramian (positive semi-definite, finite).
  ///   - c: the radius factor (≥ 0).
  ///   - normEps: the direction is zero when `‖g_w*‖ ≤ normEps · Σ_t w*_t ‖g_t‖`, i.e. when the
  ///     optimal combination cancels to `normEps` relative to the rows it combines. (torchjd
  ///     compares `‖g_w*‖` with `normEps · √trace K` instead; that threshold is set by the longest
  ///     rows, so with norms spread over 1e-4 … 1e4 it declares every step Pareto-stationary,
  ///     although `g_w*`, of the order of the short rows, is well defined.)
  public static func solve(gramian k: [[Double]], c: Double, normEps: Double = 1e-4) -> Result {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "CAGradSolver.solve: Gramian must be square and non-empty, got \(n) rows")
    precondition(c >= 0, "CAGradSolver.solve: c must be non-negative, got \(c)")
    let tn = Double(n)
    let trace = (0..<n).reduce(0) { $0 + max(k[$1][$1], 0) }
    let uniform = [Double](repeating: 1 / tn, count: n)
    guard trace > 0 else {
      return Result(simplexWeights: uniform, directionWeights: [Double](repeating: 0, count: n), lambda: 0, onParetoFront: true)
    }
    let b = k.map { $0.reduce(0, +) / tn }  // ⟨g_i, g₀⟩
    let g0sq = max(b.reduce(0, +) / tn, 0)  // ‖g₀‖²
    let rho = c * g0sq.squareRoot()
    if rho == 0 {
      // No ball: d = g₀ whatever w.
      return Result(simplexWeights: uniform, directionWeights: uniform, lambda: 0, onParetoFront: false)
    }

    var innerConverged = true
    func inner(_ tau: Double) -> MinNormSolver.Solution {
      let s = tau / rho
      var shifted = k
      for i in 0..<n { for j in 0..<n { shifted[i][j] += s * (b[i] + b[j]) + s * s * g0sq } }
      let sol = MinNormSolver.exact(gramian: shifted)
      if !sol.converged { innerConverged = false }
      return sol
    }
    func gwNorm(_ w: [Double]) -> Double { max(MinNormSolver.quadratic(k, w), 0).squareRoot() }

    // f'(τ) has the sign of h(τ) = τ − ‖g_w(τ)‖, and h(τ)/τ is non-decreasing, so h changes sign
    // at most once on (0, ∞); h(M) ≥ 0 for M = max_t ‖g_t‖ ≥ ‖g_w‖. If h ≥ 0 already at the
    // lower end, the optimum has ‖g_w*‖ = τ* below it (Pareto-stationary). Otherwise the root is
    // bracketed and found by the Illinois variant of regula falsi (superlinear), bisecting
    // whenever the secant point is not interior, to relative width 1e-15.
    let top = (0..<n).map { max(k[$0][$0], 0).squareRoot() }.max()!
    // Below τ = ‖g_w‖ = 1e-2 · normEps · min_t ‖g_t‖ (non-zero rows) the answer is
    // "Pareto-stationary" anyway, since Σ w_t ‖g_t‖ ≥ that minimum unless w sits on zero rows (see
    // below), so the search starts there, above the min-norm solver's resolution.
    let shortest = (0..<n).map { max(k[$0][$0], 0).squareRoot() }.filter { $0 > 0 }.min()!
    var lo = min(1e-2 * max(normEps, 1e-10) * shortest, 0.5 * top)
    var hi = top
    var w = inner(lo).weights
    var hLo = lo - gwNorm(w)
    var iterations = 0
    if hLo < 0 {
      var hiSolution = inner(hi).weights
      var hHi = hi - gwNorm(hiSolution)
      var best = Double.infinity
      var lastSide = 0  // −1: the last update moved lo, +1: hi (Illinois halves the stale end)
      while hHi > 0 && hi - lo > 1e-15 * hi && iterations < 200 {
        iterations += 1
        var tau = (lo * hHi - hi * hLo) / (hHi - hLo)
        if !(tau > lo && tau < hi) { tau = 0.5 * (lo + hi) }
        guard tau > lo, tau < hi else { break }
        let sol = inner(tau)
        let h = tau - gwNorm(sol.weights)
        if abs(h) < best {
          best = abs(h)
          w = sol.weights
        }
        if h == 0 { break }
        if h < 0 {
          lo = tau
          hLo = h
          if lastSide == -1 { hHi *= 0.5 }
          lastSide = -1
        } else {
          hi = tau
          hHi = h
          hiSolution = sol.weights
          if lastSide == 1 { hLo *= 0.5 }
          lastSide = 1
        }
      }
      if hHi <= 0 { w = hiSolution }
    }
    let gw = gwNorm(w)
    let spread = (0..<n).reduce(0) { $0 + w[$1] * max(k[$1][$1], 0).squareRoot() }
    if gw <= normEps * spread {
      return Result(
        simplexWeights: w, directionWeights: [Double](repeating: 0, count: n), lambda: 0, onParetoFront: true,
        iterations: iterations, converged: innerConverged, residual: nil)
    }
    let lambda = rho / gw
    let residual = kktResidual(gramian: k, weights: w, c: c)
    return Result(
      simplexWeights: w, directionWeights: w.map { 1 / tn + lambda * $0 }, lambda: lambda, onParetoFront: false,
      iterations: iterations, converged: innerConverged && (residual ?? 0) <= 1e-6, residual: residual)
  }
}
