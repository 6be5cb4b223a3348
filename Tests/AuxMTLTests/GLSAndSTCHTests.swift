import AuxEngine
import AuxMTL
import AuxNN
import Testing

@Suite("GLS and STCH")
struct GLSAndSTCHTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("GLS: three steps match LibMTL's GLS; the weights are ∂G/∂L_t = G/(T L_t)")
  func gls() throws {
    let m = try MethodRegistry.make("gls", tasks: Self.tasks)
    let reports = try RecentMethodsFixture.check(m, prefix: "gls", steps: 3, checkWeights: false)
    for (k, r) in reports.enumerated() {
      expectClose(r.perTask("weight"), try RecentMethodsFixture.tensor("gls.step\(k).derivative"), "step \(k) derivative")
    }
  }

  @Test("GLS: a zero or negative loss is refused naming the task")
  func glsRefusesNonPositive() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("q", role: .auxiliary)]
    let m = try MethodRegistry.make("gls", tasks: tasks)
    #expect(throws: MTLStepError.self) { try m.backward(MTLStep(tasks: tasks, losses: [Tensor(1).requiringGrad(), Tensor(0).requiringGrad()])) }
    #expect(throws: MTLStepError.self) { try m.backward(MTLStep(tasks: tasks, losses: [Tensor(-1).requiringGrad(), Tensor(2).requiringGrad()])) }
    // Many tiny losses: the log-space mean does not underflow as the product would.
    let many = (0..<40).map { TaskInfo("t\($0)", role: $0 == 0 ? .primary : .auxiliary) }
    let w = try MethodRegistry.make("gls", tasks: many).backward(MTLStep(tasks: many, losses: many.map { _ in Tensor(1e-3).requiringGrad() }))
    #expect(abs(w.values["weight/t0"]! - 1 / 40) < 1e-6)
  }

  @Test("STCH: log-loss warm-up, nadir epoch, then smooth Tchebycheff: six steps match LibMTL's STCH (μ 0.5, warm-up 1)")
  func stch() throws {
    let m = try MethodRegistry.make("stch", tasks: Self.tasks, options: ["mu": "0.5", "warmup_epochs": "1"])
    let reports = try RecentMethodsFixture.check(m, prefix: "stch", steps: 6, epochs: [0, 0, 1, 1, 2, 2], checkWeights: false)
    #expect(reports.map { $0.values["phase"]! } == [0, 0, 1, 1, 2, 2])
    // The nadir is the mean loss of the nadir epoch (steps 2 and 3).
    let l2 = try RecentMethodsFixture.tensor("stch.step2.losses").scalars
    let l3 = try RecentMethodsFixture.tensor("stch.step3.losses").scalars
    let nadir = reports[4].perTask("nadir")
    for t in 0..<3 { #expect(abs(nadir[t] - (l2[t] + l3[t]) / 2) < 1e-5 * l2[t]) }
  }

  @Test("STCH: weights sum to T·Σ softmax/L; resuming after the nadir epoch keeps the nadir; a state without it is refused")
  func stchState() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("q", role: .auxiliary)]
    let options = ["warmup_epochs": "0"]
    let m = try MethodRegistry.make("stch", tasks: tasks, options: options) as! SmoothTchebycheff
    _ = try m.backward(MTLStep(tasks: tasks, losses: [Tensor(2).requiringGrad(), Tensor(4).requiringGrad()], epoch: 0))
    let fresh = try MethodRegistry.make("stch", tasks: tasks, options: options) as! SmoothTchebycheff
    try fresh.loadStateDict(m.stateDict())
    let r = try fresh.backward(MTLStep(tasks: tasks, losses: [Tensor(1).requiringGrad(), Tensor(4).requiringGrad()], epoch: 1))
    #expect(fresh.nadir == [2, 4])
    // u = log(L/z) = (log ½, 0), μ = 1: softmax = (1/3, 2/3); w = 2 s_t / L_t.
    #expect(abs(r.values["weight/p"]! - 2 * (1.0 / 3) / 1) < 1e-6)
    #expect(abs(r.values["weight/q"]! - 2 * (2.0 / 3) / 4) < 1e-6)
    let empty = try MethodRegistry.make("stch", tasks: tasks, options: options)
    #expect(throws: MTLStepError.self) { try empty.backward(MTLStep(tasks: tasks, losses: [Tensor(1).requiringGrad(), Tensor(1).requiringGrad()], epoch: 3)) }
  }
}
