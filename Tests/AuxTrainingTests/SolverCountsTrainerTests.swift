import AuxData
import AuxEngine
import AuxMTL
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// Wraps a method and adds a solver status to every step's report: converged on even steps, not
/// converged on every third step, a fallback on every fifth.
private final class StatusReportingMethod: WeightingMethod {
  let inner: any WeightingMethod
  private var steps = 0
  init(_ inner: any WeightingMethod) { self.inner = inner }
  var descriptor: MethodDescriptor { inner.descriptor }
  var tasks: [TaskInfo] { inner.tasks }
  var resolvedOptions: [String: String] { inner.resolvedOptions }

  func backward(_ step: MTLStep) throws -> StepReport {
    var report = try inner.backward(step)
    steps += 1
    report.record(SolverStatus(
      solver: "test solver", converged: steps % 3 != 0, iterations: steps,
      fallback: steps % 5 == 0 ? "used uniform weights" : nil))
    return report
  }
}

@Suite("Trainer solver counts")
struct SolverCountsTrainerTests {
  @Test("steps with a non-converged solve or a fallback are counted in steps.jsonl, TensorBoard and run.json")
  func countsReachTheLogs() throws {
    let dir = try Fixtures.temporaryDirectory("solver-counts")
    var config = TrainerTests.config(dir, method: "ew", epochs: 2)
    config.training.logEvery = 1
    let built = try RunBuilder.makeTrainer(config, networks: tinyNetworks)
    let trainer = try Trainer(
      config: built.config, folder: built.folder, record: built.record, objectives: built.objectives, network: built.network,
      method: StatusReportingMethod(built.method), optimizer: built.optimizer, scheduler: built.scheduler, data: built.data)
    let record = try trainer.run(resume: false)
    let steps = try trainer.folder.steps()
    #expect(steps.count == 12)  // 48 samples / batch 8 = 6 steps per epoch, 2 epochs
    for s in steps {
      let c = try #require(s.solver)
      #expect(c.solvedSteps == s.step)
      #expect(c.nonConvergedSteps == s.step / 3)
      #expect(c.fallbackSteps == s.step / 5)
    }
    let final = try #require(record.solver)
    #expect(final.solvedSteps == 12 && final.nonConvergedSteps == 4 && final.fallbackSteps == 2)
    #expect(final.lastProblem?.hasPrefix("step 12: test solver: NOT converged") == true)
    let saved = try trainer.folder.readRecord()
    #expect(saved.solver == final)
    let events = try FileManager.default.contentsOfDirectory(atPath: trainer.folder.url.path).filter { $0.contains("tfevents") }
    let bytes = try Data(contentsOf: trainer.folder.url.appendingPathComponent(try #require(events.first)))
    for tag in ["solver/non_converged_steps", "solver/fallback_steps", "solver/iterations"] {
      #expect(bytes.range(of: Data(tag.utf8)) != nil, "no \(tag) in the event file")
    }
  }

  @Test("a method without solvers leaves the counts out")
  func noSolverNoCounts() throws {
    let dir = try Fixtures.temporaryDirectory("solver-counts-none")
    let trainer = try RunBuilder.makeTrainer(TrainerTests.config(dir, method: "ew", epochs: 1), networks: tinyNetworks)
    let record = try trainer.run(resume: false)
    #expect(record.solver == nil)
    #expect(try trainer.folder.steps().allSatisfy { $0.solver == nil })
  }
}
