/// Running counts of a training run's solver problems: how many steps ran an inner solver, how
/// many had a solve that did not converge, how many fell back, and the most recent problem.
///
/// The training loop adds every step's ``StepReport`` (``add(_:step:)``) and writes the counts to
/// `steps.jsonl`, TensorBoard (`solver/non_converged_steps`, `solver/fallback_steps`) and the run
/// record, so a run whose method struggled says so.
public struct SolverCounts: Sendable, Equatable, Codable {
  /// Steps whose report holds at least one ``SolverStatus``.
  public var solvedSteps = 0
  /// Steps with at least one solve that did not converge.
  public var nonConvergedSteps = 0
  /// Steps with at least one fallback.
  public var fallbackSteps = 0
  /// Iterations of every solve of every step, summed.
  public var iterations = 0
  /// The most recent problem, `"step N: <status summary>"`, or nil when there was none.
  public var lastProblem: String?

  public init() {}

  /// Whether no step had a problem.
  public var isClean: Bool { nonConvergedSteps == 0 && fallbackSteps == 0 }

  /// Adds one step's report; returns true when the step had a problem (a non-converged solve or
  /// a fallback).
  @discardableResult
  public mutating func add(_ report: StepReport, step: Int) -> Bool {
    guard !report.solvers.isEmpty else { return false }
    solvedSteps += 1
    iterations += report.solvers.reduce(0) { $0 + $1.iterations }
    let nonConverged = report.hasNonConvergedSolver
    let fellBack = report.hasSolverFallback
    if nonConverged { nonConvergedSteps += 1 }
    if fellBack { fallbackSteps += 1 }
    guard nonConverged || fellBack else { return false }
    let problems = report.solvers.filter(\.isProblem).map(\.summary)
    lastProblem = "step \(step): " + problems.joined(separator: "; ")
    return true
  }
}
