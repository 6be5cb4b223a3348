import AuxEngine
import AuxMTL
import AuxNN

/// One training step of a ``BenchmarkProblem`` under a weighting method, run by the library's
/// ``AuxMTL/StepDriver`` (the trainer's step): forward with per-task feature aliases, the method's
/// backward with exactly what it declares, an Adam step (lr 1e-3, the method's own parameters in
/// a second group), and the method's post-step update. The batch offers a loss evaluator with a
/// second batch to the methods that declare one.
public final class BenchmarkStepRunner {
  /// The model and data.
  public let problem: BenchmarkProblem
  /// The weighting method.
  public let method: any WeightingMethod
  /// Adam over the model (and the method's parameters).
  public let optimizer: Adam
  /// Runs each step.
  public let driver: StepDriver
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
    driver = try StepDriver(tasks: problem.tasks, model: ModelSplit(problem.model), method: method, optimizer: optimizer)
    problem.model.train()
  }

  /// Runs one step.
  public func step() throws {
    let problem = self.problem
    let evaluator = LossEvaluator(
      trainingLosses: { problem.plainLosses() }, validationLosses: { problem.plainLosses(validation: true) })
    let batch = StepBatch(model: problem.model, input: problem.input, evaluator: evaluator) { problem.losses($0) }
    try driver.step(batch, epoch: iteration / 100, iteration: iteration)
    iteration += 1
  }
}
