import AuxData
import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// `model.aux_module` in the trainer: the module trains, is never run by evaluation, is absent
/// from the selected weights (the exported model is the plain network), and resumes exactly.
@Suite("Auxiliary module in training")
struct AuxiliaryModuleTrainerTests {
  static func config(_ dir: URL, epochs: Int = 2) -> TrainConfig {
    var c = TrainerTests.config(dir, method: "ial", epochs: epochs)
    c.model.auxModuleEnabled = true
    c.model.auxModuleChannels = 8
    c.model.auxModuleLossWeight = 0.5
    c.training.maxStepsPerEpoch = 3
    return c
  }

  @Test("evaluation never runs the module and the saved model has exactly the plain network's entries")
  func absentFromEvaluationAndExport() throws {
    let dir = try Fixtures.temporaryDirectory("aux-module")
    let config = Self.config(dir)
    let trainer = try RunBuilder.makeTrainer(config, networks: StandardNetworks.factory)
    let aux = try #require(trainer.auxiliaryModule)
    #expect(trainer.record.environment["auxiliary_module"]?.hasPrefix("aux-module-approx: stages [64, 128, 128], width 8, weight 0.5") == true)
    let before = aux.stateDict()
    let record = try trainer.run(resume: false)
    #expect(record.status == .finished)
    #expect(aux.forwardCount == 6, "one module pass per training step (2 epochs × 3 steps)")
    let after = aux.stateDict()
    #expect(before.contains { after[$0.key]!.scalars != $0.value.scalars }, "the module trained")
    _ = try trainer.evaluate(trainer.data.test)
    #expect(aux.forwardCount == 6, "evaluation ran the module")

    var plainConfig = config
    plainConfig.model.auxModuleEnabled = false
    var rng = RandomGenerator(seed: 0)
    let plain = try StandardNetworks.make(
      plainConfig.model, tasks: trainer.objectives, inputShape: [3, 32, 32], multiInput: false, rng: &rng)
    let expected = plain.stateDict().mapValues(\.shape)
    let best = try Safetensors.read(trainer.folder.url.appendingPathComponent("best.safetensors"))
    #expect(best.tensors.mapValues(\.shape) == expected)
    #expect(trainer.network.module.stateDict().mapValues(\.shape) == expected)
    // The plain network with the saved weights gives the trained model's predictions.
    try plain.loadStateDict(best.tensors, source: "best")
    plain.eval()
    trainer.network.module.eval()
    let x = try trainer.data.test.datasets[0].sample(at: 0).image.reshaped([1, 3, 32, 32])
    let (a, b) = Autograd.withoutGradients {
      (plain.decode(plain.encode(x, task: nil), task: 0, inputSize: Size2D(32, 32)),
       trainer.network.decode(trainer.network.encode(x, task: nil), task: 0, inputSize: Size2D(32, 32)))
    }
    #expect(a.scalars == b.scalars)
    // Checkpoints keep the module, to resume.
    let checkpoint = try TrainingCheckpoint.read(from: trainer.folder.checkpointURL)
    #expect(checkpoint.components["auxmodule"]?.keys.sorted() == aux.stateDict().keys.sorted())
  }

  @Test("a run with the module resumes exactly, module included")
  func resume() throws {
    let a = try Fixtures.temporaryDirectory("aux-resume-a")
    let whole = try RunBuilder.makeTrainer(Self.config(a), networks: StandardNetworks.factory)
    try whole.run(resume: false)
    let b = try Fixtures.temporaryDirectory("aux-resume-b")
    let first = try RunBuilder.makeTrainer(Self.config(b), networks: StandardNetworks.factory)
    var calls = 0
    _ = try first.run(resume: false, shouldStop: {
      calls += 1
      return calls > 4
    })
    let second = try RunBuilder.makeTrainer(Self.config(b), networks: StandardNetworks.factory)
    #expect(try second.run(resume: true).status == .finished)
    for (k, v) in whole.network.module.stateDict() { #expect(v.scalars == second.network.module.stateDict()[k]!.scalars, "\(k)") }
    for (k, v) in whole.auxiliaryModule!.stateDict() { #expect(v.scalars == second.auxiliaryModule!.stateDict()[k]!.scalars, "module \(k)") }
  }

  @Test("the settings read and write back; a network without stages is refused")
  func settings() throws {
    let c = try TrainConfig.parse(yaml: "model: {aux_module: true, aux_module_width: 16, aux_module_weight: 0.3}")
    #expect(c.model.auxModuleEnabled && c.model.auxModuleChannels == 16 && c.model.auxModuleLossWeight == 0.3)
    #expect(try TrainConfig.parse(yaml: c.yaml()) == c)
    #expect(TrainConfig().model.auxModule == nil)
    let dir = try Fixtures.temporaryDirectory("aux-tiny")
    #expect { try RunBuilder.makeTrainer(Self.config(dir), networks: tinyNetworks) } throws: { "\($0)".contains("does not expose its stages") }
  }
}
