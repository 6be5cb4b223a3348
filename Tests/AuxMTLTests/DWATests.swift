import AuxEngine
import AuxMTL
import AuxNN
import Testing

@Suite("DWA")
struct DWATests {
  static let tasks = LossFixtureProblem.tasks

  /// Steps of epochs 0 and 1 with the fixture's recorded losses (constant leaves).
  static func feedHistory(_ dwa: any WeightingMethod, _ problem: LossFixtureProblem) throws -> [StepReport] {
    let history = try problem.expected("dwa.history_losses")  // [epoch, step, task]
    var reports: [StepReport] = []
    for e in 0..<2 {
      for s in 0..<3 {
        let losses = (0..<3).map { t in Tensor(history[e, s, t]).requiringGrad() }
        reports.append(try dwa.backward(MTLStep(tasks: Self.tasks, losses: losses, epoch: e)))
      }
    }
    return reports
  }

  @Test("weights are 1 in epochs 0 and 1, then match LibMTL's DWA from the epoch averages")
  func matchesLibMTL() throws {
    let problem = try LossFixtureProblem()
    let dwa = try MethodRegistry.make("dwa", tasks: Self.tasks)
    for r in try Self.feedHistory(dwa, problem) { #expect(r.perTask("weight") == [1, 1, 1]) }
    let report = try dwa.backward(problem.makeStep(epoch: 2))
    expectClose(report.perTask("weight"), try problem.expected("dwa.weight"), "weights")
    #expect(abs(report.perTask("weight").reduce(0, +) - 3) < 1e-5)
    try problem.expectGradients("dwa")
  }

  @Test("weights stay fixed within an epoch; the state round trip resumes mid-epoch exactly")
  func stateRoundTrip() throws {
    let problem = try LossFixtureProblem()
    let dwa = try MethodRegistry.make("dwa", tasks: Self.tasks)
    _ = try Self.feedHistory(dwa, problem)
    let a = try dwa.backward(problem.makeStep(epoch: 2))
    let resumed = try MethodRegistry.make("dwa", tasks: Self.tasks)
    try resumed.loadStateDict(dwa.stateDict())
    let losses = [Tensor(0.3).requiringGrad(), Tensor(2).requiringGrad(), Tensor(0.9).requiringGrad()]
    let b1 = try dwa.backward(MTLStep(tasks: Self.tasks, losses: losses, epoch: 2))
    let b2 = try resumed.backward(MTLStep(tasks: Self.tasks, losses: losses, epoch: 2))
    #expect(b1 == b2)
    #expect(b1.perTask("weight") == a.perTask("weight"))
    // Epoch 3 uses the averages of epochs 1 and 2, identically in both.
    let c1 = try dwa.backward(MTLStep(tasks: Self.tasks, losses: losses, epoch: 3))
    let c2 = try resumed.backward(MTLStep(tasks: Self.tasks, losses: losses, epoch: 3))
    #expect(c1 == c2)
    #expect(c1.perTask("weight") != a.perTask("weight"))
  }

  @Test("a zero epoch average gives ratio 1 with a note; epochs going backwards are refused")
  func degenerate() throws {
    let dwa = try MethodRegistry.make("dwa", tasks: Self.tasks)
    let zero = Tensor(0).requiringGrad()
    let one = Tensor(1).requiringGrad()
    for e in 0..<3 {
      let r = try dwa.backward(MTLStep(tasks: Self.tasks, losses: [zero, one, one], epoch: e))
      if e == 2 {
        #expect(r.notes.contains { $0.contains("'a'") })
        #expect(r.perTask("weight") == [1, 1, 1])
      }
    }
    #expect(throws: MTLStepError.self) { try dwa.backward(MTLStep(tasks: Self.tasks, losses: [one, one, one], epoch: 1)) }
  }
}
