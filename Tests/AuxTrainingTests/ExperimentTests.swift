import AuxEngine
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

@Suite("Experiments")
struct ExperimentTests {
  static func plan(_ dir: URL) -> ExperimentPlan {
    var base = TrainerTests.config(dir, epochs: 2)
    base.experiment = "cmp"
    base.dataset.trainSamples = 24
    return ExperimentPlan(base: base, methods: ["ew", "ial"], primaries: [["semantic"]], seeds: [0, 1])
  }

  @Test("the plan lists baselines first, then methods × primaries × seeds, with unique ids")
  func planOrder() throws {
    let p = Self.plan(URL(fileURLWithPath: "/tmp"))
    let ids = p.runs(allTasks: ["semantic", "depth", "normal", "edge"]).map(\.id)
    #expect(ids == [
      "single-task-semantic-s0", "single-task-semantic-s1", "ew-semantic-s0", "ew-semantic-s1", "ial-semantic-s0", "ial-semantic-s1",
    ])
    var all = p
    all.primaries = [["all"]]
    #expect(all.baselineTasks(allTasks: ["a", "b"]) == ["a", "b"])
  }

  @Test("a primary choice takes its tasks out of the base's auxiliary list, and the plan says so")
  func primaryLeavesAuxiliaries() throws {
    var p = Self.plan(URL(fileURLWithPath: "/tmp"))
    p.base.tasks.auxiliary = ["depth", "normal"]
    p.primaries = [["semantic"], ["depth"], ["all"]]
    let runs = p.runs(allTasks: ["semantic", "depth", "normal", "edge"]).filter { $0.config.method.name == "ew" && $0.config.seed == 0 }
    #expect(runs.map(\.config.tasks.auxiliary) == [["depth", "normal"], ["normal"], []])
    #expect(p.notes == ["primary depth: depth left the auxiliary tasks for these runs (auxiliary: normal)"])
    // Each planned run builds (no task is both primary and auxiliary).
    for run in runs { _ = try RunBuilder.makeTrainer(run.config, networks: tinyNetworks) }
    p.base.tasks.auxiliary = nil
    #expect(p.notes.isEmpty)
  }

  @Test("an interrupted comparison resumes: finished runs are reused, the interrupted one resumes")
  func interruptAndResume() throws {
    let dir = try Fixtures.temporaryDirectory("experiment")
    let runner = ExperimentRunner(plan: Self.plan(dir), networks: tinyNetworks)
    var steps = 0
    let first = try runner.run(shouldStop: {
      steps += 1
      return steps > 20  // a few runs in
    })
    #expect(first.last?.1 == .interrupted)
    let finishedFirst = first.filter { $0.1 == .trained }.count
    #expect(finishedFirst >= 1)

    var lines: [String] = []
    let second = try runner.run(log: { lines.append($0) })
    #expect(second.count == 6)
    #expect(second.allSatisfy { $0.0.status == .finished })
    #expect(second.filter { $0.1 == .reused }.count == finishedFirst)
    #expect(second.contains { $0.1 == .resumed })
    #expect(lines.contains { $0.contains("reused") })

    // A changed configuration under the same experiment name is refused, not mixed in.
    var changed = Self.plan(dir)
    changed.base.training.epochs = 3
    #expect { try ExperimentRunner(plan: changed, networks: tinyNetworks).run() } throws: {
      "\($0)".contains("different configuration") && "\($0)".contains("training.epochs: 2 → 3")
    }
    // A key that changes nothing computed (threads) reuses the finished runs.
    var threads = Self.plan(dir)
    threads.base.training.threads = 1
    #expect(try ExperimentRunner(plan: threads, networks: tinyNetworks).run().allSatisfy { $0.1 == .reused })
  }
}
