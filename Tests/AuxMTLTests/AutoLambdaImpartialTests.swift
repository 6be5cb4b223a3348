import AuxEngine
import AuxMTL
import AuxNN
import AuxTestSupport
import Testing

@Suite("Auto-Lambda (impartial)")
struct AutoLambdaImpartialTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("steps match the PyTorch reference: look-ahead over both stages, λ on the encoder only, IAL's decoder stage")
  func matchesReference() throws {
    let problem = try LossFixtureProblem()
    let reference = try Fixtures.load("auto_lambda_impartial")
    let method = try MethodRegistry.make("auto-lambda-impartial", tasks: Self.tasks, options: ["meta_lr": "0.01"]) as! AutoLambdaImpartial
    let opt = problem.sgd(
      lr: 0.1, momentum: 0.9, weightDecay: 5e-4,
      extra: [ParameterGroup(name: "method", parameters: method.parameters, learningRate: 0.1)])
    for k in 0..<3 {
      opt.zeroGrad()
      method.logSigma.zeroGrad()
      let before = problem.named.map { $0.1.value.scalars }
      let report = try method.backward(problem.makeStep(optimizer: opt))
      #expect(problem.named.map { $0.1.value.scalars } == before, "θ must be restored exactly")
      // The finite difference against the reference's finite difference, and within its own
      // accuracy of the exact derivative.
      expectClose(report.perTask("meta_grad"), try reference.tensor("step\(k).meta_grad"), rtol: 1e-3, atol: 1e-6, "step \(k) meta-gradient")
      expectClose(report.perTask("meta_grad"), try reference.tensor("step\(k).meta_grad_exact"), rtol: 1e-2, atol: 1e-5, "step \(k) meta-gradient vs exact")
      expectClose(report.perTask("weight"), try reference.tensor("step\(k).weight"), "step \(k) λ")
      for (name, p) in problem.named {
        let g = try #require(p.grad, "step \(k): \(name) has no gradient")
        let m = Closeness.mismatch(g, try reference.tensor("step\(k).grad.\(name)"), rtol: 1e-4, atol: 1e-6)
        #expect(m == nil, "step \(k) \(name): \(m ?? "")")
      }
      let gs = try #require(method.logSigma.grad)
      #expect(Closeness.mismatch(gs, try reference.tensor("step\(k).grad.log_sigma"), rtol: 1e-4, atol: 1e-6) == nil, "step \(k) log σ")
      opt.step()
    }
    for (name, p) in problem.named {
      #expect(Closeness.mismatch(p.value, try reference.tensor("final.\(name)"), rtol: 1e-4, atol: 1e-6) == nil, "final \(name)")
    }
    #expect(Closeness.mismatch(method.logSigma.value, try reference.tensor("final.log_sigma"), rtol: 1e-4, atol: 1e-6) == nil)
  }

  @Test("a head's gradient is IAL's decoder gradient whatever λ is; the encoder's is Σ λ_t ∂L_t/∂θ")
  func stagesSeparate() throws {
    let problem = try LossFixtureProblem()
    // meta_lr 0 keeps λ at its initial value, so the expected gradients follow by hand.
    let method = try MethodRegistry.make("auto-lambda-impartial", tasks: Self.tasks, options: ["meta_lr": "0", "init": "0.3"]) as! AutoLambdaImpartial
    let opt = problem.sgd(lr: 0.1)
    opt.zeroGrad()
    _ = try method.backward(problem.makeStep(optimizer: opt))
    let got = problem.named.map { $0.1.grad!.scalars }
    // By hand: with σ = 1/√2 the decoder weight is 1, so heads get ∇ L_t; the encoder 0.3 Σ ∇ L_t.
    problem.zeroGrad()
    let losses = problem.lossesPlain()
    let sum = losses[0] + losses[1] + losses[2]
    let params = problem.named.map { $0.1.value }
    let grads = Autograd.gradients(of: [sum], wrt: params, retainGraph: false)
    for (i, (name, _)) in problem.named.enumerated() {
      let scale: Float = name.hasPrefix("enc") ? 0.3 : 1
      let expected = grads[i]!.scalars.map { $0 * scale }
      #expect(Closeness.mismatch(Tensor(got[i]), Tensor(expected), rtol: 1e-5, atol: 1e-7) == nil, "\(name)")
    }
    #expect(method.weights == [0.3, 0.3, 0.3])
  }

  @Test("missing optimiser or validation batch is refused; state round-trips")
  func requirementsAndState() throws {
    let problem = try LossFixtureProblem()
    let method = try MethodRegistry.make("auto-lambda-impartial", tasks: Self.tasks) as! AutoLambdaImpartial
    #expect(throws: MTLStepError.self) { try method.backward(problem.makeStep()) }
    #expect(throws: MTLStepError.self) { try method.backward(problem.makeStep(optimizer: problem.sgd(lr: 0.1), evaluator: false)) }
    _ = try method.backward(problem.makeStep(optimizer: problem.sgd(lr: 0.1)))
    let state = method.stateDict()
    let copy = try MethodRegistry.make("auto-lambda-impartial", tasks: Self.tasks) as! AutoLambdaImpartial
    try copy.loadStateDict(state)
    #expect(copy.weights == method.weights)
    #expect(copy.logSigma.value.scalars == method.logSigma.value.scalars)
  }
}
