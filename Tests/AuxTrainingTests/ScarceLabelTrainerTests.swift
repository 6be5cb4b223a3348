import AuxData
import AuxEngine
import AuxMTL
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// Training with scarce primary labels (`tasks.primary_label_fraction`).
@Suite("Scarce labels in training")
struct ScarceLabelTrainerTests {
  static func config(_ dir: URL, method: String, fraction: Double) -> TrainConfig {
    var c = TrainerTests.config(dir, method: method, epochs: 2)
    c.dataset.trainSamples = 32
    c.tasks.primaryLabelFraction = fraction
    return c
  }

  @Test("multi-task runs keep every image, with the labelled ones spread so no batch lacks a primary label", arguments: ["ial", "dwa", "imtl-g", "mgda"])
  func spreadKeepsEveryStep(method: String) throws {
    let dir = try Fixtures.temporaryDirectory("scarce-\(method)")
    let trainer = try RunBuilder.makeTrainer(Self.config(dir, method: method, fraction: 0.25), networks: tinyNetworks)
    #expect(trainer.data.train.datasets[0].count == 32)
    #expect(trainer.data.spreadIndices.count == 8)
    let record = try trainer.run(resume: false)
    #expect(record.status == .finished)
    #expect(record.skippedSteps == nil)
    #expect(record.finalMetrics.allSatisfy { $0.value.isFinite })
  }

  @Test("a batch without a primary label is skipped and counted, whatever the method", arguments: ["dwa", "imtl-g", "nash-mtl"])
  func skipsUnlabelledBatches(method: String) throws {
    let dir = try Fixtures.temporaryDirectory("scarce-skip-\(method)")
    // One labelled image of 32 and batches of 8: three batches of four carry no primary label.
    let trainer = try RunBuilder.makeTrainer(Self.config(dir, method: method, fraction: 1.0 / 32), networks: tinyNetworks)
    let record = try trainer.run(resume: false)
    #expect(record.status == .finished)
    #expect(record.skippedSteps == 3 * 2)
    #expect(record.finalMetrics.allSatisfy { $0.value.isFinite })
  }

  @Test("the single-task baseline trains on the labelled images only")
  func singleTaskUsesTheLabelledSubset() throws {
    let dir = try Fixtures.temporaryDirectory("scarce-single")
    var c = Self.config(dir, method: RunRecord.singleTaskMethod, fraction: 0.25)
    c.tasks.auxiliary = []
    let trainer = try RunBuilder.makeTrainer(c, networks: tinyNetworks)
    #expect(trainer.data.train.datasets[0].count == 8)
    #expect(trainer.data.spreadIndices.isEmpty)
    let record = try trainer.run(resume: false)
    #expect(record.status == .finished)
    #expect(record.skippedSteps == nil)
  }

  @Test("the fraction is checked: (0, 1], and not with every task primary")
  func validation() throws {
    let dir = try Fixtures.temporaryDirectory("scarce-validation")
    for bad in ["0", "1.5", "-1"] {
      #expect(throws: (any Error).self) {
        var loader = ConfigLoader()
        try loader.apply(yaml: "tasks:\n  primary_label_fraction: \(bad)\n", source: "test.yaml")
      }
    }
    var c = Self.config(dir, method: "ew", fraction: 0.5)
    c.tasks.primary = ["all"]
    c.tasks.auxiliary = []
    #expect { try c.validate() } throws: { "\($0)".contains("tasks.primary_label_fraction") }
  }
}
