import AuxEngine
import AuxMTL
import AuxNN
import Testing

@Suite("OL-AUX")
struct OLAUXTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("five steps (N = 2, β = 5) match the PyTorch reference, with raw and with log losses", arguments: [false, true])
  func matchesReference(logLosses: Bool) throws {
    let prefix = logLosses ? "ol_aux_log" : "ol_aux"
    let problem = try LossFixtureProblem()
    let ol = try MethodRegistry.make("ol-aux", tasks: Self.tasks, options: ["n": "2", "log_losses": "\(logLosses)"]) as! OnlineAuxiliaryLearning
    let opt = problem.sgd(lr: 0.1)
    for k in 0..<5 {
      opt.zeroGrad()
      let step = try problem.makeStep(optimizer: opt)
      let report = try ol.backward(step)
      expectClose(ol.auxiliaryWeights, try problem.expected("\(prefix).step\(k).aux_weights"), "step \(k) weights")
      expectClose([report.values["dot/b"]!, report.values["dot/c"]!], try problem.expected("\(prefix).step\(k).dots"), "step \(k) dots")
      try problem.expectGradients("\(prefix).step\(k)")
      opt.step()
      try ol.afterOptimizerStep(step)
    }
    expectClose(ol.auxiliaryWeights, try problem.expected("\(prefix).final_aux_weights"), "final weights")
  }

  @Test("an auxiliary weight of 0 (relu_weights) still yields its dot product; its head gets no gradient")
  func zeroWeight() throws {
    let problem = try LossFixtureProblem()
    let ol = try MethodRegistry.make("ol-aux", tasks: Self.tasks, options: ["relu_weights": "true", "n": "1"]) as! OnlineAuxiliaryLearning
    try ol.loadStateDict(["aux_weights": Tensor([-0.5, 1]), "accumulated": ExactStateCoding.encode(doubles: [0, 0]), "accumulated_steps": ExactStateCoding.encode(count: 0)])
    let opt = problem.sgd(lr: 0.1)
    let step = try problem.makeStep(optimizer: opt)
    let report = try ol.backward(step)
    // ⟨∂L_a/∂z, ∂L_b/∂z⟩ from plain autograd.
    let z = problem.encoder(problem.x).tanh().detached().requiringGrad()
    let g = (0..<3).map { t in Autograd.gradient(of: (problem.heads[t](z) - problem.y[t]).pow(2).mean(), wrt: z)! }
    let dot = zip(g[0].scalars, g[1].scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(abs(Double(report.values["dot/b"]!) - dot) < 1e-5 * abs(dot))
    #expect(report.values["weight/b"]! == 0)
    #expect(problem.heads[1].weight.grad == nil || problem.heads[1].weight.grad!.scalars.allSatisfy { $0 == 0 })
    try ol.afterOptimizerStep(step)
    #expect(abs(Double(ol.auxiliaryWeights[0]) - (-0.5 + 5 * 0.1 * dot)) < 1e-5)
    #expect(throws: MTLStepError.self) { try ol.backward(problem.makeStep()) }  // no optimiser
    #expect(throws: MTLStepError.self) { try MethodRegistry.make("ol-aux", tasks: [TaskInfo("only", role: .primary)]) }
  }
}
