import AuxEngine
import AuxMTL
import AuxNN
import Testing

@Suite("DB-MTL")
struct DBMTLTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("three steps match the PyTorch reference: log-losses, gradient EMA, α = max‖ĝ‖/‖ĝ_t‖, head gradients of Σ log L")
  func matchesReference() throws {
    let problem = try LossFixtureProblem()
    let db = try MethodRegistry.make("db-mtl", tasks: Self.tasks)
    let opt = problem.sgd(lr: 0.1)
    for k in 0..<3 {
      opt.zeroGrad()
      let report = try db.backward(problem.makeStep(optimizer: opt))
      expectClose(report.perTask("alpha"), try problem.expected("db_mtl.step\(k).alpha"), "step \(k) α")
      try problem.expectGradients("db_mtl.step\(k)")
      opt.step()
    }
  }

  @Test("state round trip resumes the average exactly; negative losses are refused; zero gradients give no NaN")
  func stateAndEdges() throws {
    func run(split: Bool) throws -> [Float] {
      let problem = try LossFixtureProblem()
      var db = try MethodRegistry.make("db-mtl", tasks: Self.tasks, options: ["beta_sigma": "0.5"])
      let opt = problem.sgd(lr: 0.1)
      for k in 0..<3 {
        opt.zeroGrad()
        _ = try db.backward(problem.makeStep(optimizer: opt))
        opt.step()
        if split && k == 1 {
          let fresh = try MethodRegistry.make("db-mtl", tasks: Self.tasks, options: ["beta_sigma": "0.5"])
          try fresh.loadStateDict(db.stateDict())
          db = fresh
        }
      }
      return problem.named.flatMap { $0.1.value.scalars }
    }
    #expect(try run(split: false) == (try run(split: true)))

    let tasks = [TaskInfo("p", role: .primary), TaskInfo("q", role: .auxiliary)]
    let z = Parameter(Tensor.ones([2, 2]))
    let shared = SharedFeatures(z.value * 1, taskCount: 2)
    let db = try MethodRegistry.make("db-mtl", tasks: tasks)
    let r = try db.backward(MTLStep(tasks: tasks, losses: [(shared[0] * 0).sum(), (shared[1] * 0).sum()], shared: shared, sharedParameters: [z]))
    let finite = r.values.values.allSatisfy { $0.isFinite } && z.grad!.scalars.allSatisfy { $0 == 0 }
    #expect(finite)
    let shared2 = SharedFeatures(z.value * 1, taskCount: 2)
    #expect(throws: MTLStepError.self) {
      try db.backward(MTLStep(tasks: tasks, losses: [shared2[0].sum() * -1, shared2[1].sum()], shared: shared2, sharedParameters: [z]))
    }
  }
}
