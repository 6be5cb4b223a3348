import AuxEngine
import AuxNN
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// A ``TinyNetwork`` whose output for one task turns infinite from a given training step on: a
/// stand-in for a diverging run or a bad sample.
final class PoisonedNetwork: MultiTaskNetwork {
  let base: TinyNetwork
  let task: Int
  /// 1-based training step (counted by the task's decodes in training mode) from which its
  /// output is infinite.
  let fromStep: Int
  private var trainingDecodes = 0

  init(_ base: TinyNetwork, task: Int, fromStep: Int) {
    self.base = base
    self.task = task
    self.fromStep = fromStep
  }

  var module: Module { base.module }
  var encoderParameters: [Parameter] { base.encoderParameters }
  func headParameters(_ task: Int) -> [Parameter] { base.headParameters(task) }
  func encode(_ images: Tensor, task: Int?) -> Tensor { base.encode(images, task: task) }
  func decode(_ features: Tensor, task: Int, inputSize: Size2D) -> Tensor {
    let y = base.decode(features, task: task, inputSize: inputSize)
    guard task == self.task, module.isTraining else { return y }
    trainingDecodes += 1
    return trainingDecodes >= fromStep ? y * Float.infinity : y
  }
}

@Suite("Non-finite training")
struct NonFiniteTrainerTests {
  @Test("an infinite loss stops the run naming task, step and epoch; run.json says failed; the last checkpoint resumes")
  func infiniteLossStopsTheRun() throws {
    let dir = try Fixtures.temporaryDirectory("nonfinite")
    var c = TrainerTests.config(dir, method: "ew", epochs: 2)
    c.dataset.trainSamples = 24  // 3 steps per epoch
    // depth (task 1) diverges at step 5: the second step of epoch 2.
    let poisoned: NetworkFactory = { _, tasks, shape, _, rng in
      PoisonedNetwork(TinyNetwork(tasks: tasks, inputChannels: shape[0], rng: &rng), task: 1, fromStep: 5)
    }
    let trainer = try RunBuilder.makeTrainer(c, networks: poisoned)
    let error = try #require(throws: TrainingError.self) { try trainer.run(resume: false) }
    #expect(error.message.contains("non-finite loss: task 'depth' has loss "), "\(error.message)")
    #expect(error.message.contains("at step 5 (epoch 2)"), "\(error.message)")
    #expect(error.message.contains("checkpoint after epoch 1 is unchanged"))

    let record = try trainer.folder.readRecord()
    #expect(record.status == .failed)
    #expect(record.error == error.message)
    #expect(record.epochsCompleted == 1)
    let checkpoint = try TrainingCheckpoint.read(from: trainer.folder.checkpointURL)
    #expect(checkpoint.epoch == 1 && checkpoint.step == 3)

    // Resuming (here with the cause gone) continues from that checkpoint and finishes.
    let resumed = try RunBuilder.makeTrainer(c, networks: tinyNetworks).run(resume: true)
    #expect(resumed.status == .finished)
    #expect(resumed.epochsCompleted == 2)
    #expect(resumed.error == nil)
  }

  @Test("a non-finite loss before the first epoch ends says there is no checkpoint")
  func firstEpoch() throws {
    let dir = try Fixtures.temporaryDirectory("nonfinite-first")
    var c = TrainerTests.config(dir, method: "ial", epochs: 1)
    c.dataset.trainSamples = 16
    let poisoned: NetworkFactory = { _, tasks, shape, _, rng in
      PoisonedNetwork(TinyNetwork(tasks: tasks, inputChannels: shape[0], rng: &rng), task: 0, fromStep: 1)
    }
    let trainer = try RunBuilder.makeTrainer(c, networks: poisoned)
    let error = try #require(throws: TrainingError.self) { try trainer.run(resume: false) }
    #expect(error.message.contains("task 'semantic'") && error.message.contains("step 1 (epoch 1)") && error.message.contains("no checkpoint"), "\(error.message)")
    #expect(try trainer.folder.readRecord().status == .failed)
    #expect(!FileManager.default.fileExists(atPath: trainer.folder.checkpointURL.path))
  }
}
