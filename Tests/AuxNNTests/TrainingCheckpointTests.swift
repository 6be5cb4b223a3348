import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import Foundation
import Testing

@Suite("Training checkpoints")
struct TrainingCheckpointTests {
  /// A small model with batch norm and dropout (a DeepLab head).
  static func model(seed: UInt64) -> MultiTaskModel {
    var rng = RandomGenerator(seed: seed)
    return MultiTaskModel(
      encoder: ReferenceCNN(rng: &rng),
      heads: [("seg", DeepLabHead(128, 3, rates: [1, 2], width: 8, rng: &rng)), ("depth", ConvHead(128, 1, hiddenChannels: 8, rng: &rng))])
  }

  static func trainSteps(_ model: MultiTaskModel, _ adam: Adam, _ scheduler: LearningRateScheduler, _ rng: inout RandomGenerator, steps: Int) {
    model.train()
    for _ in 0..<steps {
      adam.zeroGrad()
      let x = Initializers.normal([2, 3, 16, 16], using: &rng)
      let out = model(x)
      (out["seg"].pow(2).mean() + out["depth"].abs().mean()).backward()
      adam.step()
      scheduler.step()
    }
  }

  @Test("write and read: every part of the run state round-trips exactly")
  func roundTrip() throws {
    let dir = try Fixtures.temporaryDirectory("checkpoint")
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = Self.model(seed: 1)
    let adam = Adam([ParameterGroup(module: model, learningRate: 1e-3)])
    let scheduler = LearningRateScheduler(PolynomialDecaySchedule(maxEpochs: 10), optimizer: adam)
    var rng = RandomGenerator(seed: 9)
    Self.trainSteps(model, adam, scheduler, &rng, steps: 2)
    _ = rng.nextNormal()  // leaves a cached normal deviate in the generator's state
    let method = ["counter": ExactCounter.encode(123_456_789)]
    let url = dir.appendingPathComponent("run.safetensors")
    try TrainingCheckpoint(
      model: model, optimizer: adam, scheduler: scheduler, generators: ["data": rng], step: 2, epoch: 1,
      components: ["method": method, "empty": [:]], metadata: ["config": "{\"lr\": 0.001}"]
    ).write(to: url)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["run.safetensors"], "no temporary file is left")

    let c = try TrainingCheckpoint.read(from: url)
    #expect(c.step == 2 && c.epoch == 1)
    #expect(c.schedule == scheduler.state)
    #expect(try c.generator("data") == rng)
    #expect(c.components["method"]?["counter"]?.scalars == method["counter"]!.scalars)
    #expect(c.components["empty"] != nil && c.components["empty"]!.isEmpty)
    #expect(c.metadata["config"] == "{\"lr\": 0.001}")
    #expect(c.modelDTypes["encoder.0.1.num_batches_tracked"] == .i64)
    let state = model.stateDict()
    #expect(Set(c.model.keys) == Set(state.keys))
    for (k, t) in state { #expect(c.model[k]?.scalars == t.scalars, "\(k)") }
    let dropout = try #require(model.namedModules().first { $0.1 is Dropout })
    #expect(c.moduleGenerators[dropout.0] == (dropout.1 as! Dropout).rng)
    for (k, t) in adam.stateDict() { #expect(c.optimizer[k]?.scalars == t.scalars, "\(k)") }
    #expect(throws: FormatError.self) { try c.generator("augmentation") }
  }

  @Test("restore into fresh objects, then training continues exactly as without the interruption")
  func resumeIsExact() throws {
    let dir = try Fixtures.temporaryDirectory("checkpoint")
    defer { try? FileManager.default.removeItem(at: dir) }
    func fresh(_ seed: UInt64) -> (MultiTaskModel, Adam, LearningRateScheduler) {
      let m = Self.model(seed: seed)
      let a = Adam([
        ParameterGroup(name: "encoder", module: m, prefix: "encoder.", learningRate: 1e-2),
        ParameterGroup(name: "heads", module: m, prefix: "heads.", learningRate: 5e-3),
      ])
      return (m, a, LearningRateScheduler(StepSchedule(stepSize: 2, gamma: 0.5), optimizer: a))
    }
    let (m1, a1, s1) = fresh(1)
    var r1 = RandomGenerator(seed: 5)
    Self.trainSteps(m1, a1, s1, &r1, steps: 6)

    let (m2, a2, s2) = fresh(1)
    var r2 = RandomGenerator(seed: 5)
    Self.trainSteps(m2, a2, s2, &r2, steps: 3)
    let url = dir.appendingPathComponent("c.safetensors")
    try TrainingCheckpoint(model: m2, optimizer: a2, scheduler: s2, generators: ["data": r2], step: 3, epoch: 0).write(to: url)

    let (m3, a3, s3) = fresh(77)  // different initial weights: everything must come from the file
    let c = try TrainingCheckpoint.read(from: url)
    try c.restore(model: m3, optimizer: a3, scheduler: s3)
    var r3 = try c.generator("data")
    #expect(a3.groups.map(\.learningRate) == a2.groups.map(\.learningRate))
    Self.trainSteps(m3, a3, s3, &r3, steps: 3)

    let expected = m1.stateDict()
    for (k, t) in m3.stateDict() { #expect(t.scalars == expected[k]!.scalars, "\(k) differs after resuming") }
    let moments = a1.stateDict()
    for (k, t) in a3.stateDict() { #expect(t.scalars == moments[k]!.scalars, "optimiser \(k)") }
  }

  @Test("a checkpoint whose model misses, adds and mis-shapes entries fails listing all, and changes nothing")
  func mismatchedModel() throws {
    let model = Self.model(seed: 1)
    let adam = Adam([ParameterGroup(module: model, learningRate: 1e-3)])
    var rng = RandomGenerator(seed: 2)
    let scheduler = LearningRateScheduler(PolynomialDecaySchedule(maxEpochs: 10), optimizer: adam)
    Self.trainSteps(model, adam, scheduler, &rng, steps: 1)
    var c = TrainingCheckpoint(model: model, optimizer: adam, step: 1, epoch: 0)
    c.model["encoder.0.0.weight"] = nil
    c.model["heads.extra.weight"] = Tensor.zeros([2])
    c.model["heads.depth.out.bias"] = Tensor.zeros([3])
    c.optimizer = [:]

    let target = Self.model(seed: 8)
    let targetAdam = Adam([ParameterGroup(module: target, learningRate: 1e-3)])
    Self.trainSteps(target, targetAdam, LearningRateScheduler(PolynomialDecaySchedule(maxEpochs: 10), optimizer: targetAdam), &rng, steps: 1)
    let before = target.stateDict()
    let beforeAdam = targetAdam.stateDict()
    do {
      try c.restore(model: target, optimizer: targetAdam)
      Issue.record("restore should fail")
    } catch let e as StateDictError {
      #expect(e.missing == ["encoder.0.0.weight"])
      #expect(e.unexpected == ["heads.extra.weight"])
      #expect(e.mismatched.map(\.0) == ["heads.depth.out.bias"])
    }
    for (k, t) in target.stateDict() { #expect(t.scalars == before[k]!.scalars, "\(k) changed") }
    for (k, t) in targetAdam.stateDict() { #expect(t.scalars == beforeAdam[k]!.scalars, "optimiser \(k) changed") }

    // A model that fits but optimiser state that does not: the model is rolled back too.
    var c2 = TrainingCheckpoint(model: model, optimizer: adam, step: 1, epoch: 0)
    c2.optimizer["heads.depth.out.bias.exp_avg"] = Tensor.zeros([5])
    #expect(throws: OptimizerStateError.self) { try c2.restore(model: target, optimizer: targetAdam) }
    for (k, t) in target.stateDict() { #expect(t.scalars == before[k]!.scalars, "\(k) changed") }
  }

  @Test("files that are not checkpoints fail with the file and the problem named")
  func malformed() throws {
    let dir = try Fixtures.temporaryDirectory("checkpoint")
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = Self.model(seed: 1)
    let plain = dir.appendingPathComponent("plain.safetensors")
    try model.saveState(to: plain)
    do {
      _ = try TrainingCheckpoint.read(from: plain)
      Issue.record("a plain state dict is not a checkpoint")
    } catch let e as FormatError {
      #expect("\(e)".contains("plain.safetensors") && "\(e)".contains("auxmtl.checkpoint"))
    }
    var archive = TrainingCheckpoint(model: model, generators: ["data": RandomGenerator(seed: 1)], step: 0, epoch: 0).archive
    archive.metadata["auxmtl.rng.data"] = "12,34"
    #expect(throws: FormatError.self) { try TrainingCheckpoint(archive: archive, file: "x") }
    archive = TrainingCheckpoint(model: model, step: 0, epoch: 0).archive
    archive.tensors["stray"] = Tensor.zeros([1])
    #expect(throws: FormatError.self) { try TrainingCheckpoint(archive: archive, file: "x") }
    archive = TrainingCheckpoint(model: model, step: 0, epoch: 0).archive
    archive.metadata["auxmtl.step"] = "-3"
    #expect(throws: FormatError.self) { try TrainingCheckpoint(archive: archive, file: "x") }
  }

  @Test("a model-only state file loads with prefixes and skipped entries")
  func stateFiles() throws {
    let dir = try Fixtures.temporaryDirectory("checkpoint")
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = Self.model(seed: 1)
    let url = dir.appendingPathComponent("m.safetensors")
    try a.saveState(to: url)
    let b = Self.model(seed: 2)
    try b.loadState(from: url)
    for (k, t) in a.stateDict() { #expect(b.stateDict()[k]!.scalars == t.scalars) }
    var rng = RandomGenerator(seed: 3)
    let encoder = ReferenceCNN(rng: &rng)
    try encoder.loadState(from: url, prefix: "encoder.")
    #expect(encoder.blocks[0].layers.count == 3)
    #expect((encoder.stateDict()["0.0.weight"]!).scalars == a.stateDict()["encoder.0.0.weight"]!.scalars)
    #expect(throws: StateDictError.self) { try encoder.loadState(from: url) }
  }
}

/// A 64-bit counter stored exactly in Float chunks (as methods store theirs).
enum ExactCounter {
  static func encode(_ v: UInt64) -> Tensor { Tensor((0..<4).map { Float((v >> (16 * UInt64($0))) & 0xFFFF) }) }
}
