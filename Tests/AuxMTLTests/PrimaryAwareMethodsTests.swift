import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// MetaBalance (against a replica of the authors' optimiser loop), PriPCGrad and PriGradVac
/// (against torch replicas of their definition) and post-train (by hand).
@Suite("Primary-aware methods")
struct PrimaryAwareMethodsTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("MetaBalance: three steps match the authors' optimiser loop (r 0.7, β 0.9)")
  func metabalance() throws {
    let m = try MethodRegistry.make("metabalance", tasks: Self.tasks)
    try RecentMethodsFixture.check(m, prefix: "metabalance", steps: 3)
  }

  @Test("PriPCGrad: three steps match the replica; the primary gradient is never changed")
  func priPCGrad() throws {
    let m = try MethodRegistry.make("pri-pcgrad", tasks: Self.tasks)
    let reports = try RecentMethodsFixture.check(m, prefix: "pri_pcgrad", steps: 3)
    for r in reports { #expect(r.values["weight/b"] == 1 && r.values["weight/c"] == 1) }
    // Hand case: g_P = (1, 0), g_a = (−1, 1) conflicts: projected to (0, 1), so w_P = 1 + 1.
    let (w, projected) = PrimaryProjectionSolver.pcgradWeights(gramian: [[1, -1], [-1, 2]], primaries: [0])
    #expect(w == [2, 1] && projected == [1])
  }

  @Test("PriGradVac: three steps match the replica (β 0.5), targets included; state round trip")
  func priGradVac() throws {
    let m = try MethodRegistry.make("pri-gradvac", tasks: Self.tasks, options: ["beta": "0.5"]) as! PrimaryAwareProjection
    try RecentMethodsFixture.check(m, prefix: "pri_gradvac", steps: 3)
    expectClose(m.targets.map(Float.init), try RecentMethodsFixture.tensor("pri_gradvac.step2.targets"), "targets")
    let fresh = try MethodRegistry.make("pri-gradvac", tasks: Self.tasks, options: ["beta": "0.5"]) as! PrimaryAwareProjection
    try fresh.loadStateDict(m.stateDict())
    #expect(fresh.targets == m.targets)
  }

  @Test("post-train: equal weighting before switch_epoch, the primary loss only from it")
  func postTrain() throws {
    let m = try MethodRegistry.make("post-train", tasks: Self.tasks, options: ["switch_epoch": "2"])
    func gradients(_ method: any WeightingMethod, epoch: Int) throws -> ([[Float]], StepReport) {
      let problem = try LossFixtureProblem()
      let r = try method.backward(problem.makeStep(epoch: epoch))
      return (problem.named.map { $0.1.grad?.scalars ?? [Float](repeating: 0, count: $0.1.value.count) }, r)
    }
    let (ew, _) = try gradients(try MethodRegistry.make("ew", tasks: Self.tasks), epoch: 0)
    let (phase1, r1) = try gradients(m, epoch: 1)
    #expect(phase1 == ew && r1.values["phase"] == 1)
    let (phase2, r2) = try gradients(m, epoch: 2)
    #expect(r2.values["phase"] == 2 && r2.perTask("weight") == [1, 0, 0])
    // By hand: the gradient of L_a alone (an ordinary backward pass).
    let problem = try LossFixtureProblem()
    problem.lossesPlain()[0].backward()
    let expected = problem.named.map { $0.1.grad?.scalars ?? [Float](repeating: 0, count: $0.1.value.count) }
    for (a, e) in zip(phase2, expected) { #expect(zip(a, e).allSatisfy { abs($0 - $1) <= 1e-6 + 1e-5 * abs($1) }) }
    #expect(phase2[4].allSatisfy { $0 == 0 })  // head of "b" (auxiliary) gets nothing
  }
}
