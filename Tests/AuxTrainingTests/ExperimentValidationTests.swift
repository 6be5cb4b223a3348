import AuxTestSupport
import AuxTraining
import Foundation
import Testing

@Suite("Experiment validation")
struct ExperimentValidationTests {
  /// A sweep with four different mistakes in different cells, after cells that are fine.
  static func badPlan(_ dir: URL) -> ExperimentPlan {
    var base = TrainerTests.config(dir, epochs: 1)
    base.experiment = "bad"
    base.dataset.trainSamples = 8
    base.method.options = ["ema_smooth": "often"]  // kept for the ial runs only: a bad value
    return ExperimentPlan(
      base: base, methods: ["ew", "ial", "pcgard"], primaries: [["semantic"], ["all"], ["depht"]], seeds: [0, 1])
  }

  @Test("a sweep reports every bad cell at once (method name, option value, auxiliary-only method with all, task name) and trains nothing")
  func reportsEveryProblemBeforeTraining() throws {
    let dir = try Fixtures.temporaryDirectory("experiment-validation")
    let runner = ExperimentRunner(plan: Self.badPlan(dir), networks: tinyNetworks)
    var trainedSteps = 0
    var thrown: ExperimentPlanError?
    do {
      _ = try runner.run(shouldStop: {
        trainedSteps += 1
        return false
      })
    } catch let e as ExperimentPlanError {
      thrown = e
    }
    let error = try #require(thrown)
    let text = error.description
    // The unknown method, once for all its cells, with the known names.
    #expect(error.problems.contains { $0.message.contains("method.name") && $0.message.contains("'pcgard'") && $0.runs.contains("pcgard-semantic-s0") })
    // IAL's bad option value (checked when the method is made).
    #expect(error.problems.contains { $0.message.contains("ema_smooth") && $0.runs == ["ial-semantic-s0", "ial-semantic-s1"] })
    // IAL with every task primary has no auxiliary task.
    #expect(error.problems.contains { $0.message.contains("auxiliary-learning method") && $0.runs == ["ial-all-s0", "ial-all-s1"] })
    // The unknown task, for the baseline and for every method that trains it.
    #expect(error.problems.contains { $0.message.contains("unknown task 'depht'") && $0.runs.contains("single-task-depht-s0") && $0.runs.contains("ew-depht-s1") })
    // Cells that differ only by seed share one line.
    #expect(!error.problems.contains { $0.runs == ["ial-all-s0"] })
    #expect(text.contains("nothing was trained"))
    #expect(trainedSteps == 0)
    // Nothing was written: no experiment folder, so no run folder.
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path))
  }

  @Test("a valid plan has no problems; an empty or repeating list is one")
  func planLevelChecks() throws {
    let dir = URL(fileURLWithPath: "/tmp")
    var plan = Self.badPlan(dir)
    plan.base.method.options = [:]
    plan.methods = ["ew", "ial"]
    plan.primaries = [["semantic"]]
    #expect(try ExperimentRunner(plan: plan, networks: tinyNetworks).validate().count == 6)
    plan.seeds = []
    plan.methods = ["ew", "ew"]
    let problems = plan.problems(tasks: nil).map(\.message)
    #expect(problems.contains { $0.contains("no seed") })
    #expect(problems.contains { $0.contains("--methods lists 'ew' twice") })
  }

  @Test("data that cannot be loaded is reported with the configuration problems")
  func missingData() throws {
    var plan = Self.badPlan(URL(fileURLWithPath: "/tmp"))
    plan.base.dataset.name = "nyuv2"
    plan.base.dataset.path = "/nonexistent/auxmtl-data"
    let error = try #require(throws: ExperimentPlanError.self) { try ExperimentRunner(plan: plan, networks: tinyNetworks).validate() }
    #expect(error.problems.contains { $0.runs.isEmpty && $0.message.hasPrefix("dataset 'nyuv2'") })
    #expect(error.problems.contains { $0.message.contains("'pcgard'") })
  }
}
