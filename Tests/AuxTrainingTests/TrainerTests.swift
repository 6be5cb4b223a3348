import AuxData
import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

@Suite("Trainer")
struct TrainerTests {
  public static func config(_ dir: URL, method: String = "ial", epochs: Int = 3) -> TrainConfig {
    var c = TrainConfig()
    c.output = dir.path
    c.experiment = "t"
    c.seed = 3
    c.dataset.size = 32
    c.dataset.trainSamples = 48
    c.dataset.validationSamples = 16
    c.dataset.testSamples = 16
    c.tasks.primary = ["semantic"]
    c.tasks.auxiliary = ["depth", "normal"]
    c.method.name = method
    c.training.epochs = epochs
    c.training.batchSize = 8
    c.training.logEvery = 2
    c.training.prefetch = 1
    return c
  }

  @Test("a short run finishes, logs every epoch and records test metrics")
  func shortRun() throws {
    let dir = try Fixtures.temporaryDirectory("trainer")
    let trainer = try RunBuilder.makeTrainer(Self.config(dir), networks: tinyNetworks)
    let record = try trainer.run(resume: false)
    #expect(record.status == .finished)
    #expect(record.epochsCompleted == 3)
    #expect(record.secondsPerEpoch.count == 3)
    // CPU time and load beside each epoch's wall time (issue 12 item 5).
    #expect(record.cpuSecondsPerEpoch?.count == 3 && record.cpuSecondsPerEpoch!.allSatisfy { $0 > 0 })
    #expect(record.loadAveragePerEpoch?.count == 3 && record.loadAveragePerEpoch!.allSatisfy { $0 >= 0 })
    #expect(record.environment["cpu_count"] == String(ProcessInfo.processInfo.activeProcessorCount))
    #expect(record.bestEpoch != nil)
    let keys = Set(record.finalMetrics.map(\.key))
    for k in ["semantic/mIoU", "depth/absErr", "normal/mean"] { #expect(keys.contains(k)) }
    #expect(record.finalMetrics.allSatisfy { $0.value.isFinite })
    let evaluations = try trainer.folder.evaluations()
    #expect(evaluations.filter { $0.split == "val" }.count == 3)
    #expect(evaluations.filter { $0.split == "test" }.count == 1)
    let steps = try trainer.folder.steps()
    #expect(!steps.isEmpty && steps.allSatisfy { $0.values["weight/semantic"] != nil })
    #expect(steps.contains { $0.values["sigma/depth"] != nil })
    let events = try FileManager.default.contentsOfDirectory(atPath: trainer.folder.url.path).filter { $0.contains("tfevents") }
    #expect(events.count == 1)
  }

  @Test("resuming after an interruption ends exactly like an uninterrupted run", arguments: ["ial", "pcgrad"])
  func resumeIsExact(method: String) throws {
    let a = try Fixtures.temporaryDirectory("resume-a")
    let uninterrupted = try RunBuilder.makeTrainer(Self.config(a, method: method), networks: tinyNetworks)
    try uninterrupted.run(resume: false)

    let b = try Fixtures.temporaryDirectory("resume-b")
    let first = try RunBuilder.makeTrainer(Self.config(b, method: method), networks: tinyNetworks)
    var calls = 0
    let r1 = try first.run(resume: false, shouldStop: {
      calls += 1
      return calls > 8  // stops during epoch 2 (6 steps per epoch)
    })
    #expect(r1.status == .interrupted)
    #expect(try first.folder.readRecord().status == .interrupted)
    #expect(r1.epochsCompleted == 1)
    let second = try RunBuilder.makeTrainer(Self.config(b, method: method), networks: tinyNetworks)
    let r2 = try second.run(resume: true)
    #expect(r2.status == .finished)

    let pa = uninterrupted.network.module.stateDict()
    let pb = second.network.module.stateDict()
    #expect(pa.keys.sorted() == pb.keys.sorted())
    for (k, v) in pa { #expect(v.scalars == pb[k]!.scalars, "\(k) differs after resume") }
    #expect(uninterrupted.record.finalMetrics == second.record.finalMetrics)
    let ma = uninterrupted.method.stateDict()
    let mb = second.method.stateDict()
    for (k, v) in ma { #expect(v.scalars == mb[k]?.scalars, "method state \(k) differs") }
    #expect(try uninterrupted.folder.steps() == (try second.folder.steps()))
  }

  @Test("unknown tasks and bad settings are refused with the allowed values")
  func badConfigs() throws {
    let dir = try Fixtures.temporaryDirectory("bad")
    var c = Self.config(dir)
    c.tasks.primary = ["semantics"]
    #expect { try RunBuilder.makeTrainer(c, networks: tinyNetworks) } throws: { e in
      "\(e)".contains("unknown task 'semantics'") && "\(e)".contains("semantic, depth, normal, edge")
    }
    c = Self.config(dir)
    c.tasks.mainMetric = ["depth": "accuracy"]
    #expect { try RunBuilder.makeTrainer(c, networks: tinyNetworks) } throws: { e in "\(e)".contains("absErr") }
  }
}
