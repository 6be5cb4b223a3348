import AuxData
import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// The IAL paper's experimental switches in the trainer: frozen ("broken") heads, label noise on
/// auxiliary tasks, and initial weights from another run.
@Suite("Trainer: frozen heads, label noise, initial weights")
struct PaperSettingsTrainerTests {
  static func config(_ dir: URL, method: String = "ial", epochs: Int = 2) -> TrainConfig {
    var c = TrainerTests.config(dir, method: method, epochs: epochs)
    c.training.maxStepsPerEpoch = 3
    return c
  }

  @Test("a frozen head keeps its weights bit for bit and leaves the optimiser, while its loss still reaches the encoder", arguments: ["ial", "ew", "auto-lambda"])
  func frozenHead(method: String) throws {
    let dir = try Fixtures.temporaryDirectory("frozen")
    var c = Self.config(dir, method: method)
    c.model.frozen = ["depth"]
    let trainer = try RunBuilder.makeTrainer(c, networks: tinyNetworks)
    let depth = trainer.objectives.firstIndex { $0.name == "depth" }!
    let before = trainer.network.headParameters(depth).map(\.value.scalars)
    let otherBefore = trainer.network.headParameters(0).map(\.value.scalars)
    let encoderBefore = trainer.network.encoderParameters.map(\.value.scalars)
    let inOptimizer = Set(trainer.optimizer.allParameters.map { ObjectIdentifier($0.parameter) })
    #expect(trainer.network.headParameters(depth).allSatisfy { !inOptimizer.contains(ObjectIdentifier($0)) })
    let record = try trainer.run(resume: false)
    #expect(record.status == .finished)
    #expect(trainer.network.headParameters(depth).map(\.value.scalars) == before)
    #expect(trainer.network.headParameters(0).map(\.value.scalars) != otherBefore)
    #expect(trainer.network.encoderParameters.map(\.value.scalars) != encoderBefore)

    // The frozen head's loss still shapes the encoder: without the depth task it ends elsewhere.
    let dir2 = try Fixtures.temporaryDirectory("frozen-ref")
    var without = Self.config(dir2, method: method)
    without.tasks.auxiliary = ["normal"]
    let reference = try RunBuilder.makeTrainer(without, networks: tinyNetworks)
    try reference.run(resume: false)
    #expect(reference.network.encoderParameters.map(\.value.scalars) != trainer.network.encoderParameters.map(\.value.scalars))
  }

  @Test("frozen heads and noise on tasks a run does not train, or on a primary, are refused by key")
  func refused() throws {
    let dir = try Fixtures.temporaryDirectory("refused")
    var c = Self.config(dir)
    c.model.frozen = ["edge"]
    #expect { try RunBuilder.makeTrainer(c, networks: tinyNetworks) } throws: { "\($0)".contains("model.frozen_heads") && "\($0)".contains("not trained") }
    c = Self.config(dir)
    c.model.frozen = ["sky"]
    #expect { try RunBuilder.makeTrainer(c, networks: tinyNetworks) } throws: { "\($0)".contains("unknown task 'sky'") }
    c = Self.config(dir)
    c.tasks.labelNoise = ["semantic": "flip:0.1"]
    #expect { try c.validate() } throws: { ($0 as? ConfigError)?.key == "tasks.noise" }
    c.tasks.labelNoise = ["depth": "flip:0.1"]
    #expect { try RunBuilder.makeTrainer(c, networks: tinyNetworks) } throws: { "\($0)".contains("depth") && "\($0)".contains("flip") }
    c.tasks.labelNoise = ["depth": "gaussian:2"]
    #expect { try c.validate() } throws: { "\($0)".contains("[0, 1]") }
  }

  @Test("label noise changes the training labels only; validation and test metrics are against clean labels")
  func noiseOnTrainingOnly() throws {
    let dir = try Fixtures.temporaryDirectory("noise")
    var c = Self.config(dir, method: "ew", epochs: 1)
    c.tasks.labelNoise = ["depth": "blocks:0.5:4", "normal": "gaussian:0.3"]
    let trainer = try RunBuilder.makeTrainer(c, networks: tinyNetworks)
    guard case .single(let noisy) = trainer.data.train else { Issue.record("single dataset expected"); return }
    let clean = try TrainingData.load(c.dataset, seed: c.seed)
    guard case .single(let base) = clean.train, case .single(let cleanTest) = clean.test, case .single(let test) = trainer.data.test else { return }
    #expect(try noisy.sample(at: 0).labels["depth"]!.scalars != base.sample(at: 0).labels["depth"]!.scalars)
    #expect(try noisy.sample(at: 0).labels["semantic"]!.scalars == base.sample(at: 0).labels["semantic"]!.scalars)
    #expect(try test.sample(at: 0).labels["depth"]!.scalars == cleanTest.sample(at: 0).labels["depth"]!.scalars)
    #expect(try trainer.run(resume: false).status == .finished)
  }

  @Test("initial weights load every matching entry of another run's state dict (a head from a finished run)")
  func initialWeights() throws {
    let dir = try Fixtures.temporaryDirectory("init-weights")
    let first = try RunBuilder.makeTrainer(Self.config(dir, method: "ew", epochs: 1), networks: tinyNetworks)
    try first.run(resume: false)
    let best = first.folder.url.appendingPathComponent("best.safetensors")
    let saved = try Safetensors.read(best).tensors

    var c = Self.config(try Fixtures.temporaryDirectory("init-weights-2"), method: "ial")
    c.seed = 11
    c.model.initialWeights = best.path
    c.model.frozen = ["depth"]
    let second = try RunBuilder.makeTrainer(c, networks: tinyNetworks)
    for (k, v) in second.network.module.stateDict() { #expect(v.scalars == saved[k]?.scalars, "\(k)") }
    try second.run(resume: false)
    let depth = second.objectives.firstIndex { $0.name == "depth" }!
    let names = second.network.namedParameters.filter { p in second.network.headParameters(depth).contains { $0 === p.parameter } }.map(\.name)
    #expect(!names.isEmpty)
    let after = second.network.module.stateDict()
    for n in names { #expect(after[n]!.scalars == saved[n]!.scalars, "frozen loaded head \(n)") }

    c.model.initialWeights = dir.path + "/nothing.safetensors"
    #expect(throws: (any Error).self) { try RunBuilder.makeTrainer(c, networks: tinyNetworks) }
  }

  @Test("compare's single-task baselines drop frozen heads and label noise")
  func baselinesAreClean() {
    var base = TrainConfig()
    base.model.frozen = ["depth"]
    base.tasks.labelNoise = ["depth": "flip:0.1"]
    let plan = ExperimentPlan(base: base, methods: ["ial"], primaries: [["semantic"]], seeds: [0])
    let runs = plan.runs(allTasks: ["semantic", "depth", "normal"])
    #expect(runs[0].config.method.name == "single-task" && runs[0].config.model.frozen.isEmpty && runs[0].config.tasks.labelNoise.isEmpty)
    #expect(runs[1].config.model.frozen == ["depth"])
  }
}
