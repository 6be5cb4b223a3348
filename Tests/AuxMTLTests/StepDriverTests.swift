import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// The step driver: it runs the same sequence as a hand-written step, gives a method exactly what
/// it declares, and a method that uses more fails with an error naming the missing requirement.
@Suite("Step driver")
struct StepDriverTests {
  static let tasks = LossFixtureProblem.tasks

  /// A method that declares `declared` and, in its backward, records what the step offers and
  /// then uses `uses` (a loss-weighted sum otherwise).
  final class Probe: WeightingMethod {
    enum Use { case nothing, featureGradients, parameterGradients, taskParameters }
    let descriptor: MethodDescriptor
    let tasks: [TaskInfo]
    let use: Use
    var resolvedOptions: [String: String] { [:] }
    var seen: (provided: MethodRequirements, taskParameters: Bool, optimizer: Bool, evaluator: Bool, validation: Bool)?

    init(declared: MethodRequirements, uses use: Use, tasks: [TaskInfo]) {
      descriptor = MethodDescriptor(
        name: "probe", title: "Probe", reference: "test", summary: "test", kind: .lossWeighting, requirements: declared,
        make: { _ in fatalError("not registered") })
      self.tasks = tasks
      self.use = use
    }

    func backward(_ step: MTLStep) throws -> StepReport {
      seen = (step.provided, step.taskParameters != nil, step.optimizer != nil, step.evaluator != nil, step.evaluator?.validationLosses != nil)
      var total = step.losses[0].reshaped([])
      for l in step.losses.dropFirst() { total = total + l.reshaped([]) }
      let h = step.backwardDecoders(total)
      switch use {
      case .nothing: break
      case .featureGradients: _ = try step.requireShared("probe")
      case .parameterGradients: _ = try step.taskGradients(level: .parameters, featureGradients: h)
      case .taskParameters: _ = try step.requireTaskParameters("probe")
      }
      try step.backwardEncoder(h.dropFirst().reduce(h[0]) { $0 + $1 })
      return StepReport()
    }
  }

  /// A declaration, the use the probe makes, and the requirement the error must name.
  struct Undeclared: Sendable {
    var declared: MethodRequirements
    var use: Probe.Use
    var name: String
  }

  @Test("a method that uses what it did not declare fails, naming the requirement, and nothing is updated",
        arguments: [
          Undeclared(declared: .losses, use: .featureGradients, name: ".featureGradients"),
          Undeclared(declared: [.losses, .featureGradients], use: .parameterGradients, name: ".parameterGradients"),
          Undeclared(declared: [.losses, .featureGradients], use: .taskParameters, name: ".taskParameters"),
        ])
  func undeclaredNeedFails(_ c: Undeclared) throws {
    let (declared, use, name) = (c.declared, c.use, c.name)
    let problem = try LossFixtureProblem()
    let before = problem.named.map { $0.1.value.scalars }
    let probe = Probe(declared: declared, uses: use, tasks: Self.tasks)
    let driver = try problem.driver(probe, optimizer: problem.sgd(lr: 0.1))
    do {
      try driver.step(problem.batch())
      Issue.record("the undeclared use of \(name) did not fail")
    } catch let e as MTLStepError {
      #expect(e.message.contains(name) && e.message.contains("probe") && e.message.contains("does not declare"), "\(e.message)")
    }
    #expect(problem.named.map { $0.1.value.scalars } == before, "the optimiser stepped after a failed backward")
    // Declared, the same use works.
    let declaring = Probe(declared: declared.union([.featureGradients, .parameterGradients, .taskParameters]), uses: use, tasks: Self.tasks)
    try problem.driver(declaring, optimizer: problem.sgd(lr: 0.1)).step(problem.batch())
  }

  @Test("the step carries exactly what is declared: head parameters, optimiser, evaluator and its second batch only on request",
        arguments: [
          MethodRequirements.losses, [.losses, .featureGradients, .taskParameters], [.losses, .optimizer],
          [.losses, .lossEvaluator], [.losses, .lossEvaluator, .validationBatch, .optimizer],
        ])
  func providesExactlyTheDeclaration(declared: MethodRequirements) throws {
    let problem = try LossFixtureProblem()
    let probe = Probe(declared: declared, uses: .nothing, tasks: Self.tasks)
    try problem.driver(probe, optimizer: problem.sgd(lr: 0.1)).step(problem.batch())
    let seen = try #require(probe.seen)
    #expect(seen.provided == declared)
    #expect(seen.taskParameters == declared.contains(.taskParameters))
    #expect(seen.optimizer == declared.contains(.optimizer))
    #expect(seen.evaluator == declared.contains(.lossEvaluator))
    #expect(seen.validation == declared.contains(.validationBatch))
  }

  @Test("requirements follow a method's options: the gradient level, FAMO's reuse of the next losses")
  func instanceRequirements() throws {
    func needs(_ name: String, _ options: [String: String]) throws -> MethodRequirements {
      try MethodRegistry.make(name, tasks: Self.tasks, options: options).requirements
    }
    #expect(try needs("imtl-g", [:]) == [.losses, .featureGradients])
    #expect(try needs("imtl-g", ["level": "parameters"]) == [.losses, .featureGradients, .parameterGradients])
    #expect(try needs("gcs", ["level": "representation"]) == [.losses, .featureGradients])
    #expect(try needs("famo", [:]).contains(.lossEvaluator))
    #expect(try !needs("famo", ["reuse_next_losses": "true"]).contains(.lossEvaluator))
    // Each runs through the driver with only that.
    for (name, options) in [("imtl-g", ["level": "parameters"]), ("gcs", ["level": "representation"]), ("famo", ["reuse_next_losses": "true"])] {
      let problem = try LossFixtureProblem()
      let method = try MethodRegistry.make(name, tasks: Self.tasks, options: options)
      let driver = try problem.driver(method, optimizer: problem.sgd(lr: 0.05))
      for k in 0..<2 { try driver.step(problem.batch(), iteration: k) }
    }
  }

  @Test("the driver's step equals zero-grad, backward, clipping, optimiser step, after-step written out", arguments: ["ial", "pcgrad", "famo"])
  func sameAsTheWrittenOutSequence(name: String) throws {
    let maxNorm = 0.05
    let a = try LossFixtureProblem()
    let methodA = try MethodRegistry.make(name, tasks: Self.tasks, seed: 4)
    let optA = a.sgd(lr: 0.1, momentum: 0.9, extra: methodA.parameters.isEmpty ? [] : [ParameterGroup(name: "method", parameters: methodA.parameters, learningRate: 0.1)])
    let driver = try StepDriver(tasks: Self.tasks, model: a.split(), method: methodA, optimizer: optA, clipNorm: maxNorm)
    var reportsA: [StepReport] = []
    for k in 0..<3 { reportsA.append(try driver.step(a.batch(), epoch: k / 2, iteration: k).report) }

    let b = try LossFixtureProblem()
    let methodB = try MethodRegistry.make(name, tasks: Self.tasks, seed: 4)
    let optB = b.sgd(lr: 0.1, momentum: 0.9, extra: methodB.parameters.isEmpty ? [] : [ParameterGroup(name: "method", parameters: methodB.parameters, learningRate: 0.1)])
    var reportsB: [StepReport] = []
    var clipped = false
    for k in 0..<3 {
      optB.zeroGrad()
      let step = try b.makeStep(optimizer: optB, epoch: k / 2, iteration: k)
      reportsB.append(try methodB.backward(step))
      let norm = clipGradientNorm(optB.allParameters.map(\.parameter), maxNorm: Float(maxNorm))
      clipped = clipped || Double(norm) > maxNorm
      optB.step()
      try methodB.afterOptimizerStep(step)
    }
    #expect(clipped, "the clipping threshold should bite in this check")
    #expect(reportsA == reportsB)
    #expect(a.named.map { $0.1.value.scalars } == b.named.map { $0.1.value.scalars })
    #expect(methodA.stateDict().mapValues(\.scalars) == methodB.stateDict().mapValues(\.scalars))
  }

  @Test("a driver refuses tasks that differ from the method's, a head count that differs, and a negative clip norm")
  func refusesBadSetups() throws {
    let problem = try LossFixtureProblem()
    let method = try MethodRegistry.make("ew", tasks: Self.tasks)
    let other = [TaskInfo("a", role: .primary), TaskInfo("b", role: .primary), TaskInfo("c", role: .auxiliary)]
    #expect(throws: MTLStepError.self) { try StepDriver(tasks: other, model: problem.split(), method: method, optimizer: problem.sgd(lr: 0.1)) }
    let twoHeads = ModelSplit(sharedParameters: problem.encoder.parameters(), taskParameters: problem.split().taskParameters.dropLast())
    #expect(throws: MTLStepError.self) { try StepDriver(tasks: Self.tasks, model: twoHeads, method: method, optimizer: problem.sgd(lr: 0.1)) }
    #expect(throws: MTLStepError.self) { try StepDriver(tasks: Self.tasks, model: problem.split(), method: method, optimizer: problem.sgd(lr: 0.1), clipNorm: -1) }
  }
}
