import AuxEngine
import AuxMTL
import AuxNN
import AuxTestSupport
import Foundation
import Testing

@Suite("UW and UW per objective")
struct UncertaintyWeightingTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("UW matches LibMTL's UW: weights ½e^{−ℓ}, ℓ's gradient and every network gradient")
  func matchesLibMTL() throws {
    let problem = try LossFixtureProblem()
    let uw = try MethodRegistry.make("uw", tasks: Self.tasks) as! UncertaintyWeighting
    #expect(uw.logVariance.value.scalars == [-0.5, -0.5, -0.5])
    uw.logVariance.assign(try problem.expected("uw.log_variance"))
    let report = try uw.backward(problem.makeStep())
    expectClose(report.perTask("weight"), try problem.expected("uw.weight"), "weights")
    expectClose(uw.logVariance.grad!.scalars, try problem.expected("uw.grad.log_variance"), "∂L/∂ℓ")
    try problem.expectGradients("uw")
  }

  @Test("ℓ settles at log L on fixed losses (e^ℓ = L)")
  func stationaryPoint() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("q", role: .primary)]
    let uw = try MethodRegistry.make("uw", tasks: tasks, options: ["init": "0"]) as! UncertaintyWeighting
    let opt = SGD([ParameterGroup(name: "uw", parameters: uw.parameters, learningRate: 0.5)])
    let fixed: [Float] = [0.25, 3]
    for _ in 0..<300 {
      opt.zeroGrad()
      _ = try uw.backward(MTLStep(tasks: tasks, losses: fixed.map { Tensor($0).requiringGrad() }))
      opt.step()
    }
    for t in 0..<2 { #expect(abs(Double(uw.logVariance.value.scalars[t]) - log(Double(fixed[t]))) < 1e-4) }
  }

  @Test("uw-per-objective with one term per task is exactly UW")
  func perObjectiveReducesToUW() throws {
    func gradients(_ name: String, withTerms: Bool) throws -> [Float] {
      let problem = try LossFixtureProblem()
      let method = try MethodRegistry.make(name, tasks: Self.tasks)
      method.parameters[0].parameter.assign(Tensor([-0.2, 0.4, -0.9]))
      var step = try problem.makeStep()
      if withTerms {
        step = try MTLStep(
          tasks: Self.tasks, losses: step.losses, shared: step.shared, sharedParameters: step.sharedParameters,
          lossTerms: step.losses.map { [$0] })
      }
      let report = try method.backward(step)
      return problem.named.flatMap { $0.1.grad!.scalars } + method.parameters[0].parameter.grad!.scalars + report.perTask("weight")
    }
    let uw = try gradients("uw", withTerms: false)
    #expect(try gradients("uw-per-objective", withTerms: false) == uw)
    #expect(try gradients("uw-per-objective", withTerms: true) == uw)
  }

  @Test("uw-per-objective weights each term: ∂/∂ℓ_{t,k} = ½(1 − e^{−ℓ}L_{t,k}) and ∂/∂z = Σ ½e^{−ℓ_{t,k}} ∂L_{t,k}/∂z")
  func perObjectiveTerms() throws {
    let problem = try LossFixtureProblem()
    let method = try MethodRegistry.make("uw-per-objective", tasks: Self.tasks, options: ["terms": "a:2, c:3"]) as! UncertaintyWeightingPerObjective
    #expect(method.termCounts == [2, 1, 3])
    let ell: [Float] = [-0.3, 0.2, -0.7, 0.1, 0.5, -1.0]
    method.logVariance.assign(Tensor(ell))
    // Terms: the task's MSE and its mean absolute error (and a scaled MSE for the third).
    func terms(_ z: (Int) -> Tensor) -> [[Tensor]] {
      (0..<3).map { t in
        let d = problem.heads[t](z(t)) - problem.y[t]
        let mse = d.pow(2).mean()
        let mae = d.abs().mean()
        return [[mse, mae], [mse], [mse, mae, mse * 3]][t]
      }
    }
    let shared = SharedFeatures(problem.encoder(problem.x).tanh(), taskCount: 3)
    let lt = terms { shared[$0] }
    let step = try MTLStep(
      tasks: Self.tasks, losses: lt.map { $0.dropFirst().reduce($0[0], +) }, shared: shared,
      sharedParameters: problem.encoder.parameters(), lossTerms: lt)
    let report = try method.backward(step)

    let values = lt.flatMap { $0.map { Double($0.item) } }
    for i in 0..<6 {
      let expected = 0.5 * (1 - exp(-Double(ell[i])) * values[i])
      #expect(abs(Double(method.logVariance.grad!.scalars[i]) - expected) < 1e-5 * max(1, abs(expected)))
    }
    // Expected encoder-input gradient through z, from plain autograd on the weighted terms.
    let z = problem.encoder(problem.x).tanh().detached().requiringGrad()
    let direct = terms { _ in z }.flatMap { $0 }
    var weighted = direct[0] * Float(0.5 * exp(-Double(ell[0])))
    for i in 1..<6 { weighted = weighted + direct[i] * Float(0.5 * exp(-Double(ell[i]))) }
    let hz = Autograd.gradient(of: weighted, wrt: z)!
    let zEnc = problem.encoder(problem.x).tanh()
    let expectedBias = Autograd.gradient(of: (zEnc * hz).sum(), wrt: problem.encoder.bias!.value)!
    #expect(Closeness.mismatch(problem.encoder.bias!.grad!, expectedBias, rtol: 1e-4, atol: 1e-7) == nil)
    // Effective task weight: Σ_k w_k L_k / Σ_k L_k.
    let w = ell.map { 0.5 * exp(-Double($0)) }
    let ea = (w[0] * values[0] + w[1] * values[1]) / (values[0] + values[1])
    #expect(abs(Double(report.values["weight/a"]!) - ea) < 1e-6)
    #expect(report.values["weight/b"]! == Float(w[2]))
    #expect(report.values["term_weight2/c"]! == Float(w[5]))
  }

  @Test("uw-per-objective refuses bad term options and steps without the declared terms")
  func perObjectiveErrors() throws {
    #expect(throws: MethodOptionError.self) { try MethodRegistry.make("uw-per-objective", tasks: Self.tasks, options: ["terms": "x:2"]) }
    #expect(throws: MethodOptionError.self) { try MethodRegistry.make("uw-per-objective", tasks: Self.tasks, options: ["terms": "a:0"]) }
    #expect(throws: MethodOptionError.self) { try MethodRegistry.make("uw-per-objective", tasks: Self.tasks, options: ["terms": "a"]) }
    let method = try MethodRegistry.make("uw-per-objective", tasks: Self.tasks, options: ["terms": "b:2"])
    let problem = try LossFixtureProblem()
    #expect(throws: MTLStepError.self) { try method.backward(problem.makeStep()) }
    let l = Tensor(1).requiringGrad()
    #expect(throws: MTLStepError.self) {
      try method.backward(MTLStep(tasks: Self.tasks, losses: [l, l, l], lossTerms: [[l], [l], [l]]))
    }
    #expect(throws: MTLStepError.self) { try MTLStep(tasks: Self.tasks, losses: [l, l, l], lossTerms: [[l], [], [l]]) }
  }
}
