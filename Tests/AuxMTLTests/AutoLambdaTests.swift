import AuxEngine
import AuxMTL
import AuxNN
import Testing

@Suite("Auto-Lambda")
struct AutoLambdaTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("steps match the PyTorch reference (momentum SGD virtual step, finite-difference meta-gradient, Adam on λ)", arguments: [
    ("auxiliary", "auto_lambda", 3), ("multi-task", "auto_lambda_mtl", 2),
  ])
  func matchesReference(mode: String, prefix: String, steps: Int) throws {
    let problem = try LossFixtureProblem()
    let al = try MethodRegistry.make("auto-lambda", tasks: Self.tasks, options: ["mode": mode, "meta_lr": "0.01"]) as! AutoLambda
    #expect(al.weights == [0.1, 0.1, 0.1])
    let opt = problem.sgd(lr: 0.1, momentum: 0.9, weightDecay: 5e-4)
    for k in 0..<steps {
      opt.zeroGrad()
      let before = problem.named.map { $0.1.value.scalars }
      let report = try al.backward(problem.makeStep(optimizer: opt))
      #expect(problem.named.map { $0.1.value.scalars } == before, "θ must be restored exactly")
      expectClose(report.perTask("meta_grad"), try problem.expected("\(prefix).step\(k).meta_grad"), rtol: 1e-3, atol: 1e-6, "step \(k) meta-gradient")
      expectClose(report.perTask("weight"), try problem.expected("\(prefix).step\(k).weight"), "step \(k) λ")
      try problem.expectGradients("\(prefix).step\(k)")
      opt.step()
    }
    if steps == 3 { try problem.expectParameters("\(prefix).final") }
  }

  @Test("missing optimiser, evaluator or validation batch, and an aliased validation forward, are refused")
  func requirements() throws {
    let problem = try LossFixtureProblem()
    let al = try MethodRegistry.make("auto-lambda", tasks: Self.tasks)
    #expect(throws: MTLStepError.self) { try al.backward(problem.makeStep()) }
    #expect(throws: MTLStepError.self) { try al.backward(problem.makeStep(optimizer: problem.sgd(lr: 0.1), evaluator: false)) }
    let step = try problem.makeStep()
    let aliased = LossEvaluator(
      trainingLosses: { problem.lossesPlain() },
      validationLosses: {
        let s = SharedFeatures(problem.encoder(problem.xVal).tanh(), taskCount: 3)
        return (0..<3).map { (problem.heads[$0](s[$0]) - problem.yVal[$0]).pow(2).mean() }
      })
    let bad = try MTLStep(
      tasks: Self.tasks, losses: step.losses, shared: step.shared, sharedParameters: step.sharedParameters,
      optimizer: problem.sgd(lr: 0.1), evaluator: aliased)
    #expect(throws: MTLStepError.self) { try al.backward(bad) }
    #expect(try MethodRegistry.make("auto-lambda", tasks: Self.tasks).resolvedOptions["mode"] == "auxiliary")
  }
}
