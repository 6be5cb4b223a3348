import AuxIO
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// Issue 10 items 6–7: a resume refuses a changed configuration, logs stay true after faults.
@Suite("Resume safety")
struct ResumeSafetyTests {
  /// Trains `config` for one epoch and 2 steps of the next, then stops (6 steps per epoch).
  static func interruptedRun(_ config: TrainConfig) throws -> Trainer {
    let trainer = try RunBuilder.makeTrainer(config, resolvedConfigText: config.yaml(), networks: tinyNetworks)
    var calls = 0
    let record = try trainer.run(resume: false, shouldStop: {
      calls += 1
      return calls > 8
    })
    #expect(record.status == .interrupted)
    return trainer
  }

  static func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

  @Test("--resume after changing the learning rate refuses, names optimizer.learning_rate and touches nothing")
  func refusesChangedLearningRate() throws {
    let dir = try Fixtures.temporaryDirectory("resume-guard")
    let base = TrainerTests.config(dir, epochs: 2)
    let first = try Self.interruptedRun(base)
    let folder = first.folder
    let files = [folder.recordURL, folder.configURL, folder.checkpointURL, folder.stepsURL, folder.metricsURL]
    let before = try files.map(Self.bytes)

    var changed = base
    changed.optimizer.learningRate = base.optimizer.learningRate * 10
    changed.training.batchSize = 4
    let second = try RunBuilder.makeTrainer(changed, resolvedConfigText: changed.yaml(), networks: tinyNetworks)
    #expect { try second.run(resume: true) } throws: { e in
      guard let e = e as? ConfigChangeError else { return false }
      return e.keys == ["optimizer.learning_rate", "training.batch_size"] && "\(e)".contains("optimizer.learning_rate")
        && "\(e)".contains("--allow-config-change")
    }
    #expect(try files.map(Self.bytes) == before, "a refused resume changed the run folder")
  }

  @Test("keys that do not change what is computed (threads, prefetch, log_every) resume freely")
  func freeKeysResume() throws {
    let dir = try Fixtures.temporaryDirectory("resume-free")
    let base = TrainerTests.config(dir, epochs: 2)
    _ = try Self.interruptedRun(base)
    var changed = base
    changed.training.threads = 1
    changed.training.prefetch = 0
    changed.training.logEvery = 3
    #expect(changed.differences(from: base).map(\.key) == ["training.log_every", "training.threads", "training.prefetch"])
    #expect(changed.trainingDifferences(from: base).isEmpty)
    let record = try RunBuilder.makeTrainer(changed, networks: tinyNetworks).run(resume: true)
    #expect(record.status == .finished)
    #expect(record.configChanges == nil)
  }

  @Test("--allow-config-change resumes and the record keeps both configurations and the step of the change")
  func allowedChangeIsRecorded() throws {
    let dir = try Fixtures.temporaryDirectory("resume-allow")
    let base = TrainerTests.config(dir, epochs: 2)
    let first = try Self.interruptedRun(base)
    let started = try first.folder.readRecord().startedAt
    var changed = base
    changed.optimizer.learningRate = 0.5 * base.optimizer.learningRate
    let second = try RunBuilder.makeTrainer(changed, resolvedConfigText: changed.yaml(), networks: tinyNetworks)
    let record = try second.run(resume: true, allowConfigChange: true)
    #expect(record.status == .finished)
    let saved = try second.folder.readRecord()
    let change = try #require(saved.configChanges?.first)
    #expect(saved.configChanges?.count == 1)
    #expect(change.changes.map(\.key) == ["optimizer.learning_rate"])
    #expect(change.step == 6 && change.epoch == 1)
    #expect(change.previous?.optimizer.learningRate == base.optimizer.learningRate)
    #expect(saved.configuration?.optimizer.learningRate == changed.optimizer.learningRate)
    #expect(saved.startedAt == started, "the resumed record lost the run's start time")
    let text = try String(contentsOf: second.folder.configURL, encoding: .utf8)
    #expect(try TrainConfig.parse(yaml: text).optimizer.learningRate == changed.optimizer.learningRate)
  }

  @Test("a resume whose run.json is unreadable refuses unless the change is allowed")
  func unreadableRecordRefuses() throws {
    let dir = try Fixtures.temporaryDirectory("resume-unreadable")
    let base = TrainerTests.config(dir, epochs: 2)
    let first = try Self.interruptedRun(base)
    try Data("{ not json".utf8).write(to: first.folder.recordURL)
    #expect { try RunBuilder.makeTrainer(base, networks: tinyNetworks).run(resume: true) } throws: { e in
      (e as? ConfigChangeError)?.unreadable?.contains("run.json") == true
    }
    let record = try RunBuilder.makeTrainer(base, networks: tinyNetworks).run(resume: true, allowConfigChange: true)
    #expect(record.status == .finished)
  }

  /// The step of every scalar event in a run folder's event files, sorted (the version event
  /// left out).
  static func eventSteps(_ folder: URL) throws -> [Int64] {
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("tfevents") }
    var steps: [Int64] = []
    for n in names {
      let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(n)))
      let (records, end) = TFRecord.intactRecords(in: bytes)
      #expect(end == bytes.count, "\(n) has a damaged tail")
      steps += try records.dropFirst().map { try #require(TensorBoardEvent.step(of: bytes[$0])) }
    }
    return steps.sorted()
  }

  @Test("after a resume the TensorBoard event files hold the same steps as an uninterrupted run's, none twice")
  func tensorBoardHasNoDuplicateSteps() throws {
    let a = try Fixtures.temporaryDirectory("tb-a")
    let whole = try RunBuilder.makeTrainer(TrainerTests.config(a, epochs: 2), networks: tinyNetworks)
    try whole.run(resume: false)
    let b = try Fixtures.temporaryDirectory("tb-b")
    let first = try Self.interruptedRun(TrainerTests.config(b, epochs: 2))
    let interrupted = try Self.eventSteps(first.folder.url)
    #expect(interrupted.contains { $0 > 6 }, "the interrupted epoch logged nothing past the checkpoint; the test proves nothing")
    let second = try RunBuilder.makeTrainer(TrainerTests.config(b, epochs: 2), networks: tinyNetworks)
    try second.run(resume: true)
    #expect(try Self.eventSteps(second.folder.url) == (try Self.eventSteps(whole.folder.url)))
  }

  @Test("temporary files a killed write left are removed on the next start; a live process's are kept")
  func leftoverTemporaryFiles() throws {
    let dir = try Fixtures.temporaryDirectory("leftovers")
    let base = TrainerTests.config(dir, epochs: 2)
    let first = try Self.interruptedRun(base)
    // pid_max is at most 2^22 on Linux: no process has pid 99999999.
    let dead = first.folder.url.appendingPathComponent(".checkpoint.safetensors.tmp-99999999-17")
    let live = first.folder.url.appendingPathComponent(".run.json.tmp-\(ProcessInfo.processInfo.processIdentifier)-18")
    let unrelated = first.folder.url.appendingPathComponent(".notes.tmp-keep")
    for f in [dead, live, unrelated] { try Data([1, 2, 3]).write(to: f) }
    try RunBuilder.makeTrainer(base, networks: tinyNetworks).run(resume: true)
    #expect(!FileManager.default.fileExists(atPath: dead.path))
    #expect(FileManager.default.fileExists(atPath: live.path))
    #expect(FileManager.default.fileExists(atPath: unrelated.path))
  }

  @Test("report keeps a finished run whose steps.jsonl is damaged, with a warning naming it; a folder without run.json is listed")
  func reportToleratesDamagedLogs() throws {
    let dir = try Fixtures.temporaryDirectory("report-damage")
    let trainer = try RunBuilder.makeTrainer(TrainerTests.config(dir, epochs: 1), networks: tinyNetworks)
    try trainer.run(resume: false)
    let h = try FileHandle(forWritingTo: trainer.folder.stepsURL)
    try h.seekToEnd()
    try h.write(contentsOf: Data("{\"step\": 7, \"epo".utf8))
    try h.close()
    let lost = trainer.folder.url.deletingLastPathComponent().appendingPathComponent("lost-run")
    try FileManager.default.createDirectory(at: lost, withIntermediateDirectories: true)
    try Data("seed: 1\n".utf8).write(to: lost.appendingPathComponent("config.yaml"))

    let runs = try ExperimentRuns.load(from: trainer.folder.url.deletingLastPathComponent())
    #expect(runs.included.map(\.record.id) == [trainer.record.id])
    #expect(runs.included.first?.steps.isEmpty == true)
    #expect(runs.warnings.count == 1 && runs.warnings[0].contains("steps.jsonl"))
    #expect(runs.excluded.map(\.id) == ["lost-run"] && runs.excluded[0].reason.contains("run.json"))
  }
}
