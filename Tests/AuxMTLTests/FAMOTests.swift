import AuxEngine
import AuxMTL
import AuxNN
import Foundation
import Testing

@Suite("FAMO")
struct FAMOTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("four steps match the PyTorch reference: weights z/(c(L+ε)), gradients, and the logits' Adam updates")
  func matchesReference() throws {
    let problem = try LossFixtureProblem()
    let famo = try MethodRegistry.make("famo", tasks: Self.tasks) as! FAMO
    let opt = problem.sgd(lr: 0.1)
    for k in 0..<4 {
      opt.zeroGrad()
      let step = try problem.makeStep(optimizer: opt)
      let report = try famo.backward(step)
      expectClose(report.perTask("weight"), try problem.expected("famo.step\(k).weight"), "step \(k) weights")
      try problem.expectGradients("famo.step\(k)")
      opt.step()
      try famo.afterOptimizerStep(step)
      expectClose(famo.logits, try problem.expected("famo.step\(k).logits"), rtol: 1e-3, atol: 1e-6, "step \(k) logits")
    }
  }

  @Test("reuse_next_losses updates ξ at the next step from its losses, without an evaluator")
  func reuseNextLosses() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("q", role: .primary)]
    let famo = try MethodRegistry.make("famo", tasks: tasks, options: ["reuse_next_losses": "true"]) as! FAMO
    let first: [Float] = [2, 0.5]
    let second: [Float] = [1, 0.45]
    let s1 = try MTLStep(tasks: tasks, losses: first.map { Tensor($0).requiringGrad() })
    _ = try famo.backward(s1)
    try famo.afterOptimizerStep(s1)  // no evaluator needed, no update
    #expect(famo.logits == [0, 0])
    _ = try famo.backward(MTLStep(tasks: tasks, losses: second.map { Tensor($0).requiringGrad() }))
    // δ = log L¹ − log L², ∇ξ = z ⊙ (δ − z·δ) with z = ½; Adam's first step moves by lr · g/(|g| + eps).
    let delta = zip(first, second).map { log(Double($0) + 1e-8) - log(Double($1) + 1e-8) }
    let mean = 0.5 * (delta[0] + delta[1])
    let g = delta.map { 0.5 * ($0 - mean) }
    for t in 0..<2 {
      let expected = -0.025 * g[t] / (abs(g[t]) + 1e-8)
      #expect(abs(Double(famo.logits[t]) - expected) < 1e-6)
    }
  }

  @Test("weights: a zero loss is fine, a negative loss and a missing evaluator are refused; max_norm clips")
  func edges() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("q", role: .auxiliary)]
    let famo = try MethodRegistry.make("famo", tasks: tasks)
    let r = try famo.backward(MTLStep(tasks: tasks, losses: [Tensor(0).requiringGrad(), Tensor(1).requiringGrad()]))
    let finite = r.values.values.allSatisfy { $0.isFinite }
    #expect(finite)
    #expect(throws: MTLStepError.self) { try famo.afterOptimizerStep(MTLStep(tasks: tasks, losses: [Tensor(0), Tensor(1)])) }
    #expect(throws: MTLStepError.self) { try famo.backward(MTLStep(tasks: tasks, losses: [Tensor(-1).requiringGrad(), Tensor(1).requiringGrad()])) }

    let problem = try LossFixtureProblem()
    let clipped = try MethodRegistry.make("famo", tasks: LossFixtureProblem.tasks, options: ["max_norm": "0.01"])
    let step = try problem.makeStep()
    let report = try clipped.backward(step)
    #expect(report.values["shared_grad_norm"]! > 0.01)
    #expect(abs(try step.sharedGradientNorm() - 0.01) < 1e-6)
  }

  @Test("the state round trip (logits, Adam moments, pending losses) resumes exactly")
  func stateRoundTrip() throws {
    func run(split: Bool) throws -> [Float] {
      let problem = try LossFixtureProblem()
      var famo = try MethodRegistry.make("famo", tasks: Self.tasks)
      let opt = problem.sgd(lr: 0.1)
      var out: [Float] = []
      for k in 0..<4 {
        opt.zeroGrad()
        let step = try problem.makeStep(optimizer: opt)
        out += try famo.backward(step).perTask("weight")
        if split && k == 2 {
          let fresh = try MethodRegistry.make("famo", tasks: Self.tasks)
          try fresh.loadStateDict(famo.stateDict())
          famo = fresh
        }
        opt.step()
        try famo.afterOptimizerStep(step)
      }
      return out + (famo as! FAMO).logits
    }
    #expect(try run(split: false) == (try run(split: true)))
  }
}
