import AuxEngine
import AuxMTL
import AuxNN
import Testing

@Suite("ExcessMTL and MoCo")
struct ExcessMTLAndMoCoTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("ExcessMTL: four steps match LibMTL's ExcessMTL (η = 0.5): weights (sum T) and every gradient")
  func excess() throws {
    let m = try MethodRegistry.make("excess-mtl", tasks: Self.tasks, options: ["robust_step_size": "0.5"])
    let reports = try RecentMethodsFixture.check(m, prefix: "excess_mtl", steps: 4)
    #expect(reports[0].perTask("weight") == [1, 1, 1])
    for r in reports { #expect(abs(r.perTask("weight").reduce(0, +) - 3) < 1e-5) }
  }

  @Test("MoCo: four steps match LibMTL's MoCo (ρ = 0.1): λ and every gradient")
  func moco() throws {
    let m = try MethodRegistry.make("moco", tasks: Self.tasks, options: ["rho": "0.1"])
    try RecentMethodsFixture.check(m, prefix: "moco", steps: 4)
  }

  @Test("ExcessMTL and MoCo: the state (accumulated or tracked gradients) resumes exactly; a wrong shape is refused")
  func state() throws {
    for (name, options) in [("excess-mtl", ["robust_step_size": "0.5"]), ("moco", [:])] {
      let problem = try LossFixtureProblem()
      let a = try MethodRegistry.make(name, tasks: Self.tasks, options: options)
      _ = try a.backward(problem.makeStep())
      let b = try MethodRegistry.make(name, tasks: Self.tasks, options: options)
      try b.loadStateDict(a.stateDict())
      problem.zeroGrad()
      let ra = try a.backward(problem.makeStep())
      let ga = problem.named.map { $0.1.grad!.scalars }
      problem.zeroGrad()
      let rb = try b.backward(problem.makeStep())
      #expect(ra == rb, "\(name)")
      #expect(ga == problem.named.map { $0.1.grad!.scalars }, "\(name)")
      var bad = a.stateDict()
      for key in ["squared_gradient_sum", "tracked"] where bad[key] != nil { bad[key] = Tensor.zeros([2, 5]) }
      #expect(throws: MTLStepError.self) { try b.loadStateDict(bad) }
    }
  }
}
