import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import AuxTestSupport
import Foundation
import Testing

/// Auto-Lambda's look-ahead under SGD, Adam and AdamW against `scripts/fixtures/auto_lambda_look_ahead.py`
/// (torch.optim's own next step as the virtual step, the meta-gradient through it).
@Suite("Auto-Lambda look-ahead vs PyTorch")
struct AutoLambdaLookAheadTests {
  static let fixture = "auto_lambda_look_ahead"
  static let cases = ["sgd_momentum", "sgd_nesterov_first", "sgd_dampening", "adam", "adamw", "adam_amsgrad"]

  /// The fixture problem at the case's starting parameters, and the case's optimiser holding its
  /// stored state.
  static func setUp(_ name: String) throws -> (LossFixtureProblem, any Optimizer) {
    let problem = try LossFixtureProblem(fixture: fixture)
    let archive = problem.archive
    let cases = try JSONSerialization.jsonObject(with: Data(try #require(archive.metadata["cases"]).utf8)) as! [String: [String: Any]]
    let cfg = try #require(cases[name])
    for (key, p) in problem.named { p.assign(try archive.tensor("\(name).theta.\(key)")) }
    let group = ParameterGroup(
      name: "model", parameters: problem.named.map { (name: $0.0, parameter: $0.1) },
      learningRate: Float(cfg["lr"] as! Double), weightDecay: Float(cfg["weight_decay"] as! Double))
    let optimizer: any Optimizer
    switch cfg["optimizer"] as! String {
    case "sgd":
      optimizer = SGD(
        [group], momentum: Float(cfg["momentum"] as! Double), dampening: Float(cfg["dampening"] as! Double),
        nesterov: cfg["nesterov"] as! Bool)
    default:
      let betas = (cfg["betas"] as! [Double]).map(Float.init)
      let eps = Float(cfg["eps"] as! Double)
      let ams = cfg["amsgrad"] as! Bool
      optimizer = cfg["optimizer"] as! String == "adamw"
        ? AdamW([group], betas: (betas[0], betas[1]), eps: eps, amsgrad: ams)
        : Adam([group], betas: (betas[0], betas[1]), eps: eps, amsgrad: ams)
    }
    var state: [String: Tensor] = [:]
    for key in archive.tensors.keys where key.hasPrefix("\(name).state.") {
      state[String(key.dropFirst("\(name).state.".count))] = try archive.tensor(key)
    }
    #expect(state.isEmpty == ((cfg["prior_steps"] as! Int) == 0), "\(name): stored state")
    try optimizer.loadStateDict(state)
    return (problem, optimizer)
  }

  @Test("the optimiser's virtual update and its derivative match torch.optim's next step", arguments: cases)
  func virtualUpdate(name: String) throws {
    let (problem, optimizer) = try Self.setUp(name)
    let losses = problem.lossesPlain()
    let objective = (losses[0] + losses[1] + losses[2]) * 0.1
    let grads = Autograd.gradients(of: [objective], wrt: problem.named.map(\.1.value), retainGraph: false)
    let stateBefore = optimizer.stateDict()
    for ((key, p), g) in zip(problem.named, grads) {
      let before = p.value.scalars
      let u = try optimizer.virtualUpdate(of: p, inGroup: 0, gradient: try #require(g))
      let mv = Closeness.mismatch(u.value, try problem.expected("\(name).virtual.\(key)"), rtol: 1e-5, atol: 1e-7)
      #expect(mv == nil, "\(name) θ′ \(key): \(mv ?? "")")
      let md = Closeness.mismatch(u.gradientDerivative, try problem.expected("\(name).derivative.\(key)"), rtol: 1e-3, atol: 1e-6)
      #expect(md == nil, "\(name) ∂θ′/∂g \(key): \(md ?? "")")
      #expect(p.value.scalars == before, "\(name): the virtual update must not move \(key)")
    }
    let stateAfter = optimizer.stateDict()
    #expect(Set(stateAfter.keys) == Set(stateBefore.keys))
    for (k, t) in stateBefore { #expect(stateAfter[k]?.scalars == t.scalars, "\(name): state \(k) changed") }
  }

  @Test("Auto-Lambda's look-ahead step (validation loss at θ′, meta-gradient, λ) matches the reference", arguments: cases)
  func autoLambdaStep(name: String) throws {
    let (problem, optimizer) = try Self.setUp(name)
    let al = try MethodRegistry.make("auto-lambda", tasks: LossFixtureProblem.tasks, options: ["meta_lr": "0.01"]) as! AutoLambda
    let before = problem.named.map { $0.1.value.scalars }
    let report = try al.backward(problem.makeStep(optimizer: optimizer))
    #expect(problem.named.map { $0.1.value.scalars } == before, "θ must be restored exactly")
    let validation = try #require(report.values["validation_loss"])
    expectClose([validation], try problem.expected("\(name).validation_loss"), rtol: 1e-5, "\(name) validation loss at θ′")
    let meta = report.perTask("meta_grad")
    expectClose(meta, try problem.expected("\(name).meta_grad"), rtol: 2e-3, atol: 2e-6, "\(name) meta-gradient")
    expectClose(meta, try problem.expected("\(name).meta_grad_exact"), rtol: 5e-3, atol: 5e-6, "\(name) meta-gradient vs autograd's exact one")
    expectClose(report.perTask("weight"), try problem.expected("\(name).weight"), rtol: 1e-5, "\(name) λ after the meta step")
  }

  @Test("under Adam the look-ahead is Adam's step, not the reference code's SGD-shaped one (the test can fail)", arguments: ["adam", "adamw", "adam_amsgrad"])
  func notSGDShaped(name: String) throws {
    let (problem, optimizer) = try Self.setUp(name)
    let al = try MethodRegistry.make("auto-lambda", tasks: LossFixtureProblem.tasks, options: ["meta_lr": "0.01"])
    let meta = try al.backward(problem.makeStep(optimizer: optimizer)).perTask("meta_grad")
    let sgdShaped = try problem.expected("\(name).sgd_shaped_meta_grad")
    #expect(Closeness.mismatch(Tensor(meta), sgdShaped, rtol: 0.1, atol: 0) != nil, "\(name): meta-gradient \(meta) equals the SGD-shaped \(sgdShaped.scalars)")
  }

  /// An optimiser without a virtual step.
  final class PlainDescent: Optimizer {
    var groups: [ParameterGroup]
    init(_ groups: [ParameterGroup]) { self.groups = groups }
    func step() {}
    func stateDict() -> [String: Tensor] { [:] }
    func loadStateDict(_ state: [String: Tensor]) throws {}
  }

  @Test("an optimiser without a virtual step makes the step throw, naming it, with θ untouched")
  func unsupportedOptimizer() throws {
    let problem = try LossFixtureProblem(fixture: Self.fixture)
    let optimizer = PlainDescent([ParameterGroup(name: "model", parameters: problem.named.map { (name: $0.0, parameter: $0.1) }, learningRate: 0.1)])
    let al = try MethodRegistry.make("auto-lambda", tasks: LossFixtureProblem.tasks)
    let before = problem.named.map { $0.1.value.scalars }
    #expect { try al.backward(problem.makeStep(optimizer: optimizer)) } throws: {
      "\($0)".hasPrefix("auto-lambda:") && "\($0)".contains("PlainDescent") && "\($0)".contains("no virtual step")
    }
    #expect(problem.named.map { $0.1.value.scalars } == before)
  }

  struct EvaluatorFailure: Error {}

  @Test("an evaluator that cannot run the model makes the step throw its error, with θ restored", arguments: ["validation", "training"])
  func evaluatorErrorsPropagate(which: String) throws {
    let problem = try LossFixtureProblem(fixture: Self.fixture)
    let step = try problem.makeStep()
    let failing = LossEvaluator(
      trainingLosses: {
        if which == "training" { throw EvaluatorFailure() }
        return problem.lossesPlain()
      },
      validationLosses: {
        if which == "validation" { throw EvaluatorFailure() }
        return problem.lossesPlain(validation: true)
      })
    let withFailing = try MTLStep(
      tasks: LossFixtureProblem.tasks, losses: step.losses, shared: step.shared, sharedParameters: step.sharedParameters,
      optimizer: problem.sgd(lr: 0.1, momentum: 0.9), evaluator: failing)
    let before = problem.named.map { $0.1.value.scalars }
    let al = try MethodRegistry.make("auto-lambda", tasks: LossFixtureProblem.tasks)
    #expect(throws: EvaluatorFailure.self) { try al.backward(withFailing) }
    #expect(problem.named.map { $0.1.value.scalars } == before, "θ must be restored after the error")
  }
}
