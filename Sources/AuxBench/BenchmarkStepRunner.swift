import AuxEngine
import AuxMTL
import AuxNN

/// One training step of a ``BenchmarkProblem`` under a weighting method: forward with per-task
/// feature aliases, the method's backward, an Adam step (lr 1e-3, the method's own parameters in a
/// second group), and the method's post-step update.
///
/// The step gives every method what its descriptor asks for: the shared features and head
/// parameters, the optimiser, and a loss evaluator with a second batch.
public final class BenchmarkStepRunner {
  /// The model and data.
  public let problem: BenchmarkProblem
  /// The weighting method.
  public let method: any WeightingMethod
  /// Adam over the model (and the method's parameters).
  public let optimizer: Adam
  /// Steps taken (the step's iteration; its epoch is `iteration / 100`).
  public private(set) var iteration = 0

  /// A runner for the registered method `name` with `options`.
  public init(problem: BenchmarkProblem, method name: String, options: [String: String] = [:], seed: UInt64 = 0) throws {
    self.problem = problem
    method = try MethodRegistry.make(name, tasks: problem.tasks, options: options, seed: seed)
    var groups = [ParameterGroup(name: "model", module: problem.model, learningRate: 1e-3)]
    if !method.parameters.isEmpty {
      groups.append(ParameterGroup(name: "method", parameters: method.parameters, learningRate: 1e-3))
    }
    optimizer = Adam(groups)
    problem.model.train()
  }

  /// Runs one step.
  public func step() throws {
    optimizer.zeroGrad()
    let (shared, outputs) = problem.model.forwardShared(problem.input)
    let losses = problem.losses(outputs)
    let problem = self.problem
    let evaluator = LossEvaluator(
      trainingLosses: { problem.plainLosses() }, validationLosses: { problem.plainLosses(validation: true) })
    let step = try problem.model.step(
      tasks: problem.tasks, losses: losses, shared: shared, epoch: iteration / 100, iteration: iteration, optimizer: optimizer,
      evaluator: evaluator)
    _ = try method.backward(step)
    optimizer.step()
    try method.afterOptimizerStep(step)
    iteration += 1
  }
}
