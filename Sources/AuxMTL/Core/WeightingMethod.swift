import AuxEngine
import AuxNN

/// What a weighting method reports about one step, for logs and plots (the IAL paper's Fig. 14).
///
/// Keys are slash-separated and end with a task name where they are per task:
/// `weight/<task>` is the task's effective weight on the shared parameters (every method reports
/// it), `decoder_weight/<task>`, `sigma/<task>`, `norm_ratio/<task>` and others are
/// method-specific. `notes` records anything unusual (for example a skipped term). `solvers` holds
/// one ``SolverStatus`` per inner solve (converged, iterations, residual, fallback); the training
/// loop counts the steps where one did not converge or fell back (``SolverCounts``).
public struct StepReport: Sendable, Equatable {
  public var values: [String: Float] = [:]
  public var notes: [String] = []
  /// The status of every inner solve of the step, in the order they ran.
  public var solvers: [SolverStatus] = []

  public init(values: [String: Float] = [:], notes: [String] = [], solvers: [SolverStatus] = []) {
    self.values = values
    self.notes = notes
    self.solvers = solvers
  }

  /// Records one solve's status; a problem (not converged, or a fallback) also becomes a note.
  public mutating func record(_ status: SolverStatus) {
    solvers.append(status)
    if status.isProblem { notes.append(status.summary) }
  }

  /// Whether some solve of the step did not converge.
  public var hasNonConvergedSolver: Bool { solvers.contains { !$0.converged } }
  /// Whether some solve of the step fell back to something other than its solution.
  public var hasSolverFallback: Bool { solvers.contains { $0.fallback != nil } }

  /// Sets `<key>/<task>` for every task.
  public mutating func set(_ key: String, _ perTask: [Float], tasks: [TaskInfo]) {
    for (t, v) in zip(tasks, perTask) { values["\(key)/\(t.name)"] = v }
  }
}

/// A multi-task weighting method: a small object with explicit state that turns a step's task
/// losses into gradients.
///
/// The training step never asks which method it runs: ``StepDriver`` builds an ``MTLStep`` with
/// exactly what ``requirements`` names, calls ``backward(_:)``, takes the optimiser step, then
/// calls ``afterOptimizerStep(_:)``.
///
/// ```swift
/// let method = try MethodRegistry.make("ial", tasks: tasks)
/// let optimizer = Adam([ParameterGroup(module: model, learningRate: 1e-4),
///                       ParameterGroup(name: "method", parameters: method.parameters, learningRate: 1e-4)])
/// let driver = try StepDriver(tasks: tasks, model: ModelSplit(model), method: method, optimizer: optimizer)
/// // each step
/// let outcome = try driver.step(StepBatch(model: model, input: x) { outputs in
///   tasks.indices.map { t in lossFunctions[t](outputs[t], y[t]) }
/// })
/// ```
public protocol WeightingMethod: AnyObject {
  /// The registry entry describing this method (name, paper, needs, options).
  var descriptor: MethodDescriptor { get }
  /// The tasks this instance was made for.
  var tasks: [TaskInfo] { get }
  /// Learnable parameters of the method itself (e.g. uncertainty weights), with names; the caller
  /// adds them to an optimiser (they take gradients in ``backward(_:)``).
  var parameters: [(name: String, parameter: Parameter)] { get }
  /// The options in effect, resolved (for the run's saved configuration).
  var resolvedOptions: [String: String] { get }
  /// What this instance needs from the step, with its options (by default the descriptor's
  /// ``MethodDescriptor/requirements``; a `level` option, for example, adds or removes
  /// ``MethodRequirements/parameterGradients``). ``StepDriver`` provides exactly this.
  var requirements: MethodRequirements { get }

  /// Computes this step's gradients into the parameters' gradient slots.
  func backward(_ step: MTLStep) throws -> StepReport
  /// Called once after the optimiser step (FAMO's and OL-AUX's updates).
  func afterOptimizerStep(_ step: MTLStep) throws
  /// The method's state, parameters included, for checkpoints.
  func stateDict() -> [String: Tensor]
  /// Restores ``stateDict()``.
  func loadStateDict(_ state: [String: Tensor]) throws
}

extension WeightingMethod {
  public var parameters: [(name: String, parameter: Parameter)] { [] }
  public var requirements: MethodRequirements { descriptor.requirements }
  public func afterOptimizerStep(_ step: MTLStep) throws {}
  public func stateDict() -> [String: Tensor] { [:] }
  public func loadStateDict(_ state: [String: Tensor]) throws {}

  /// Checks that `step` carries the same tasks this method was made for.
  public func checkTasks(_ step: MTLStep) throws {
    guard step.tasks == tasks else {
      throw MTLStepError("\(descriptor.name): made for tasks [\(tasks.map(\.description).joined(separator: ", "))] but the step has [\(step.tasks.map(\.description).joined(separator: ", "))]")
    }
  }
}
