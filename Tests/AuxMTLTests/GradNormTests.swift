import AuxEngine
import AuxMTL
import AuxNN
import Testing

@Suite("GradNorm")
struct GradNormTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("three steps match the PyTorch reference (last-layer norms, L(0), ∇_w L_grad, renormalisation)")
  func matchesReference() throws {
    let problem = try LossFixtureProblem()
    let gn = try MethodRegistry.make("gradnorm", tasks: Self.tasks) as! GradNorm
    let opt = problem.sgd(lr: 0.05, extra: [ParameterGroup(name: "gradnorm", parameters: gn.parameters, learningRate: 0.05)])
    for k in 0..<3 {
      opt.zeroGrad()
      let step = try problem.makeStep(optimizer: opt)
      let report = try gn.backward(step)
      expectClose(report.perTask("weight"), try problem.expected("gradnorm.step\(k).weight"), "step \(k) weights")
      expectClose(gn.weights.grad!.scalars, try problem.expected("gradnorm.step\(k).grad.weights"), "step \(k) ∂L_grad/∂w")
      try problem.expectGradients("gradnorm.step\(k)")
      opt.step()
      try gn.afterOptimizerStep(step)
      #expect(abs(gn.weights.value.scalars.reduce(0, +) - 3) < 1e-5)
    }
    expectClose(gn.weights.value.scalars, try problem.expected("gradnorm.final_weights"), "final weights")
  }

  @Test("representation level: G_t = ‖∂(w_t L_t)/∂z‖, first step target Ḡ, ∂w_t = sign(G_t − Ḡ)·‖∂L_t/∂z‖")
  func representationLevel() throws {
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 21)
    let gn = try MethodRegistry.make("gradnorm", tasks: Self.tasks, options: ["level": "representation"]) as! GradNorm
    gn.weights.assign(Tensor([0.5, 1.5, 1.0]))
    let report = try gn.backward(toy.makeStep())
    let raw = toy.rawFeatureGradients().map(norm)
    let w = [0.5, 1.5, 1.0]
    let g = zip(w, raw).map { $0 * $1 }
    let gBar = g.reduce(0, +) / 3
    for t in 0..<3 {
      #expect(abs(Double(report.perTask("grad_norm")[t]) - g[t]) < 1e-5 * g[t])
      let expected = (g[t] > gBar ? 1.0 : -1.0) * raw[t]
      #expect(abs(Double(gn.weights.grad!.scalars[t]) - expected) < 1e-5 * raw[t])
    }
    // The network is trained on Σ w_t L_t.
    var expectedEncoder = toy.rawFeatureGradients()[0] * 0.5
    expectedEncoder = expectedEncoder + toy.rawFeatureGradients()[1] * 1.5 + toy.rawFeatureGradients()[2]
    #expect(maxAbsDiff(toy.encoder.grad!, expectedEncoder) < 1e-6)
  }

  @Test("renormalisation resets non-positive sums to 1; missing last layer and zero initial losses are handled")
  func degenerate() throws {
    let gn = try MethodRegistry.make("gradnorm", tasks: Self.tasks) as! GradNorm
    gn.weights.assign(Tensor([-1, 0.5, 0.2]))
    let l = Tensor(1).requiringGrad()
    let step = try MTLStep(tasks: Self.tasks, losses: [l, l, l])
    try gn.afterOptimizerStep(step)
    #expect(gn.weights.value.scalars == [1, 1, 1])
    #expect(throws: MTLStepError.self) { try gn.backward(step) }  // no shared features
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 4)
    let bare = try MTLStep(tasks: Self.tasks, losses: try toy.makeStep().losses, shared: try toy.makeStep().shared)
    #expect(throws: MTLStepError.self) { try gn.backward(bare) }  // no last shared layer
    // A zero initial loss: ratio 1 for that task, finite everything.
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("q", role: .auxiliary)]
    let z = Parameter(Tensor.ones([2, 2]))
    let shared = SharedFeatures(z.value * 1, taskCount: 2)
    let losses = [(shared[0] * 0).sum(), shared[1].pow(2).sum()]
    let g2 = try MethodRegistry.make("gradnorm", tasks: tasks)
    let r = try g2.backward(MTLStep(tasks: tasks, losses: losses, shared: shared, sharedParameters: [z]))
    #expect(r.notes.contains { $0.contains("'p'") })
    let finite = r.values.values.allSatisfy { $0.isFinite }
    #expect(finite)
  }
}
