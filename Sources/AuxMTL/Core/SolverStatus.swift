/// How one solve of a weighting method's inner problem ended: whether it reached its stopping
/// criterion, how many iterations it took, how far from optimal the answer is, and whether the
/// method had to use something other than the solution it is defined by.
///
/// Every method that runs an iterative or numerically delicate solver (MGDA's min-norm point,
/// CAGrad's dual, Nash-MTL's Newton system, UPGrad's QPs, an eigendecomposition, …) records one
/// status per solve in its ``StepReport`` (``StepReport/record(_:)``). A method never silently
/// replaces a solution it could not compute: when it falls back (keeps the previous weights, uses
/// a closed form for a degenerate case, …) the status says so in ``fallback``. The training loop
/// counts the steps with a non-converged solve or a fallback and writes the counts to
/// `steps.jsonl`, TensorBoard and the run record (``SolverCounts``).
public struct SolverStatus: Sendable, Equatable, Codable {
  /// The solver, e.g. `"min-norm (Wolfe)"`, `"cagrad dual"`, `"nash newton"`.
  public var solver: String
  /// Whether the solver met its stopping criterion (for a certified solver: its optimality
  /// residual is below its tolerance).
  public var converged: Bool
  /// Iterations used (the solver's own unit: Newton steps, active-set changes, sweeps, …).
  public var iterations: Int
  /// The solver's optimality residual, relative and dimensionless (e.g. the KKT violation divided
  /// by the problem's scale); nil when the solver has none.
  public var residual: Double?
  /// What the method used instead of the solution it is defined by, or nil when it used the
  /// solution. Set whenever a method falls back, so that no fallback is silent.
  public var fallback: String?

  public init(solver: String, converged: Bool, iterations: Int, residual: Double? = nil, fallback: String? = nil) {
    self.solver = solver
    self.converged = converged
    self.iterations = iterations
    self.residual = residual
    self.fallback = fallback
  }

  /// Whether the solve needs attention: not converged, or a fallback was used.
  public var isProblem: Bool { !converged || fallback != nil }

  /// One line for logs: `"<solver>: converged in 7 iterations (residual 3e-15)"`,
  /// `"<solver>: NOT converged after 500 iterations; fallback: <what>"`.
  public var summary: String {
    var s = "\(solver): \(converged ? "converged in" : "NOT converged after") \(iterations) iteration\(iterations == 1 ? "" : "s")"
    if let residual { s += " (residual \(Float(residual)))" }
    if let fallback { s += "; fallback: \(fallback)" }
    return s
  }
}
