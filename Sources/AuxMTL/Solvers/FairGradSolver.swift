#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The task weights of FairGrad (Ban, Ji, "Fair Resource Allocation in Multi-Task Learning", ICML
/// 2024, Eq. 4): `w ∈ ℝ^T_{>0}` with `(K w)_t = w_t^{−1/α}` for every task (α-fair allocation;
/// α = 1 is Nash-MTL's system).
///
/// With `p = 1/α`, the system is the optimality condition of the strictly convex problem
/// `min_{w > 0} F(w) = ½ wᵀKw + Σ_t φ(w_t)`, `φ(x) = −log x` (p = 1) or `−x^{1−p}/(1−p)`
/// (φ′(x) = −x^{−p}, φ″ > 0). We minimise F by Newton's method with a backtracking line search
/// that keeps every iterate positive and decreases F (Armijo), on the Frobenius-normalised
/// `K̃ = K/s`, then rescale: `w = w̃ · s^{−1/(1+p)}` solves the original system. Converged means
/// `max_t |(K̃w̃)_t − w̃_t^{−p}| ≤ tolerance · max(1, max_t w̃_t^{−p})`.
///
/// The reference implementations (`OptMN-Lab/fairgrad`, LibMTL, torchjd) minimise
/// `‖Kw − w^{−1/α}‖²` over `w ≥ 0` with SciPy's `least_squares` from `1/T` at its default
/// tolerances; at a solution of the system that residual is zero, so both find the same point (the
/// tests compare with SciPy run to tight tolerances and with SciPy's root finder).
///
/// A task with a zero gradient has no finite solution (`w_t → ∞`): it is left out and gets weight
/// 0. If the remaining `K` has a non-negative null vector (e.g. exactly opposite gradients), `F`
/// has no minimiser and the solve does not converge; the result says so and the caller must report
/// what it does instead.
public enum FairGradSolver {
  /// The outcome of one solve.
  public struct Result: Sendable, Equatable {
    /// `w` for the given (unnormalised) `K`; 0 for tasks left out.
    public var weights: [Double]
    /// `w̃` for `K̃` (a warm start for the next solve); 0 for tasks left out.
    public var normalizedWeights: [Double]
    /// Newton iterations.
    public var iterations: Int
    /// Whether the residual tolerance was reached.
    public var converged: Bool
    /// The final relative residual `max_t |(K̃w̃)_t − w̃_t^{−p}| / max(1, max_t w̃_t^{−p})`.
    public var residual: Double
    /// Indices of tasks with a zero gradient, left out.
    public var zeroTasks: [Int]
  }

  /// Solves `(K w)_t = w_t^{−1/α}`.
  ///
  /// - Parameters:
  ///   - k: the `T × T` Gramian (positive semi-definite, finite).
  ///   - alpha: the fairness α > 0.
  ///   - warmStart: a previous ``Result/normalizedWeights`` (entries ≤ 0 or non-finite replaced by
  ///     1); nil starts from ones.
  public static func solve(
    gramian k: [[Double]], alpha: Double, warmStart: [Double]? = nil, maxIterations: Int = 200, tolerance: Double = 1e-12
  ) -> Result {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "FairGradSolver.solve: Gramian must be square and non-empty, got \(n) rows")
    precondition(alpha > 0 && alpha.isFinite, "FairGradSolver.solve: alpha must be positive, got \(alpha)")
    precondition(warmStart == nil || warmStart!.count == n, "FairGradSolver.solve: warm start has \(warmStart!.count) entries for \(n) tasks")
    let p = 1 / alpha
    let active = (0..<n).filter { k[$0][$0] > 0 }
    var result = Result(
      weights: [Double](repeating: 0, count: n), normalizedWeights: [Double](repeating: 0, count: n), iterations: 0,
      converged: true, residual: 0, zeroTasks: (0..<n).filter { !(k[$0][$0] > 0) })
    guard !active.isEmpty else { return result }
    let m = active.count
    var frob = 0.0
    for i in active { for j in active { frob += k[i][j] * k[i][j] } }
    frob = frob.squareRoot()
    let kn = active.map { i in active.map { j in k[i][j] / frob } }

    func phi(_ x: Double) -> Double { p == 1 ? -log(x) : -pow(x, 1 - p) / (1 - p) }
    func objective(_ w: [Double]) -> Double {
      let kw = SymmetricMatrix.multiply(kn, w)
      var f = 0.0
      for i in 0..<m { f += 0.5 * w[i] * kw[i] + phi(w[i]) }
      return f
    }

    func residual(_ w: [Double]) -> Double {
      let kw = SymmetricMatrix.multiply(kn, w)
      return (0..<m).map { abs(kw[$0] - pow(w[$0], -p)) }.max()!
    }

    var w = active.map { t -> Double in
      let v = warmStart?[t] ?? 1
      return v > 0 && v.isFinite ? v : 1
    }
    var converged = false
    var iterations = 0
    var f = objective(w)
    while iterations < maxIterations {
      let kw = SymmetricMatrix.multiply(kn, w)
      let r = (0..<m).map { kw[$0] - pow(w[$0], -p) }
      let scale = max(1, (0..<m).map { pow(w[$0], -p) }.max()!)
      if r.map(abs).max()! <= tolerance * scale {
        converged = true
        break
      }
      iterations += 1
      var h = kn
      for i in 0..<m { h[i][i] += p * pow(w[i], -p - 1) }
      guard let step = LinearSystem.choleskySolve(h, r.map { -$0 }) else { break }
      let slope = zip(r, step).reduce(0) { $0 + $1.0 * $1.1 }
      guard slope < 0 else { break }
      var t = 1.0
      while (0..<m).contains(where: { w[$0] + t * step[$0] <= 0 }) && t > 1e-300 { t *= 0.5 }
      var next = (0..<m).map { w[$0] + t * step[$0] }
      var fNext = objective(next)
      // Armijo backtracking on F; near the solution rounding makes F flat, so a step that halves
      // the residual is accepted too.
      let rMax = r.map(abs).max()!
      while !(fNext <= f + 1e-4 * t * slope) && !(residual(next) <= 0.5 * rMax) && t > 1e-300 {
        t *= 0.5
        next = (0..<m).map { w[$0] + t * step[$0] }
        fNext = objective(next)
      }
      guard next.allSatisfy({ $0.isFinite && $0 > 0 }), fNext.isFinite, t > 1e-300 else { break }
      w = next
      f = fNext
    }
    result.iterations = iterations
    result.residual = residual(w) / max(1, w.map { pow($0, -p) }.max()!)
    result.converged = converged && w.allSatisfy { $0.isFinite && $0 > 0 }
    let s = pow(frob, -1 / (1 + p))
    for (a, t) in active.enumerated() {
      result.normalizedWeights[t] = w[a]
      result.weights[t] = w[a] * s
    }
    return result
  }
}
