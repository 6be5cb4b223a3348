import AuxData
import AuxEngine
import AuxMTL
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// Config values and combinations that validation accepts one key at a time but that used to
/// stop the program inside a layer or a dataset (`auxmtl train` exited with "Illegal instruction"); each now fails when
/// the run is built, with a ``TrainingError`` that names the key, what it needs and what it found.
@Suite("Config traps: combinations that used to stop the program")
struct ConfigTrapTests {
  static func objectives(_ names: [String] = ["item"], classes: Int = 10) throws -> [TaskObjective] {
    try names.enumerated().map { k, n in
      try TaskObjective(spec: TaskLabelSpec(name: n, kind: .classIndex(classes: classes)), role: k == 0 ? .primary : .auxiliary)
    }
  }

  @Test("vgg16-bn on 28×28 images (Fashion-MNIST) names model.encoder and both sizes instead of a max-pooling stop")
  func vggOnSmallImages() throws {
    var model = TrainConfig.ModelConfig()
    model.encoder = "vgg16-bn"
    var rng = RandomGenerator(seed: 0)
    let error = #expect(throws: TrainingError.self) {
      try StandardNetworks.make(model, tasks: try Self.objectives(), inputShape: [1, 28, 28], multiInput: false, rng: &rng)
    }
    let message = try #require(error).message
    #expect(message.hasPrefix("model.encoder: vgg16-bn"), "\(message)")
    #expect(message.contains("at least 32×32") && message.contains("28×28"), "\(message)")
    // The task-conditional variant (multi-input data) pools 4 times: 16×16 is its smallest input.
    let conditional = #expect(throws: TrainingError.self) {
      try StandardNetworks.make(model, tasks: try Self.objectives(["a", "b"]), inputShape: [3, 12, 40], multiInput: true, rng: &rng)
    }
    #expect(try #require(conditional).message.contains("at least 16×16"))
    // Sizes the poolings do fit still build.
    _ = try StandardNetworks.make(model, tasks: try Self.objectives(), inputShape: [1, 32, 32], multiInput: false, rng: &rng)
    _ = try StandardNetworks.make(model, tasks: try Self.objectives(["a", "b"]), inputShape: [3, 16, 16], multiInput: true, rng: &rng)
  }

  @Test("an epoch's last batch of one sample under an ASPP head names training.batch_size and the sample count")
  func singleSampleTailUnderASPP() throws {
    let dir = try Fixtures.temporaryDirectory("trap-aspp")
    var c = TrainerTests.config(dir, method: "ew", epochs: 1)
    c.model.head = "aspp"
    c.dataset.trainSamples = 17  // 2 × 8 + 1
    let error = #expect(throws: TrainingError.self) { try RunBuilder.makeTrainer(c, networks: StandardNetworks.factory) }
    let message = try #require(error).message
    #expect(message.hasPrefix("training.batch_size: batch normalisation"), "\(message)")
    #expect(message.contains("17 training samples = 2 × batch size 8 + 1"), "\(message)")
    #expect(message.contains("model.head aspp"), "\(message)")
    c.dataset.trainSamples = 16
    _ = try RunBuilder.makeTrainer(c, networks: StandardNetworks.factory)
  }

  @Test("batch size 1 with an encoder that maps the image to 1×1 names training.batch_size; refcnn's 8×8 maps still train")
  func batchOfOneOnOnePixelMaps() throws {
    let dir = try Fixtures.temporaryDirectory("trap-bs1")
    var c = TrainerTests.config(dir, method: "ew", epochs: 1)
    c.training.batchSize = 1
    c.training.maxStepsPerEpoch = 1
    c.model.encoder = "resnet18"
    c.model.outputStride = 32
    let error = #expect(throws: TrainingError.self) { try RunBuilder.makeTrainer(c, networks: StandardNetworks.factory) }
    let message = try #require(error).message
    #expect(message.hasPrefix("training.batch_size: "), "\(message)")
    #expect(message.contains("training.batch_size is 1") && message.contains("resnet18 turns the 32×32 images into 1×1 feature maps"), "\(message)")
    // A batch of one over maps larger than 1×1 is allowed and trains.
    c.model.encoder = "refcnn"
    let trainer = try RunBuilder.makeTrainer(c, networks: StandardNetworks.factory)
    #expect(try trainer.run(resume: false).status == .finished)
  }

  @Test("a scenes split above 2^40 samples names its key instead of stopping in ScenesDataset")
  func scenesCountTooLarge() throws {
    var c = TrainerTests.config(try Fixtures.temporaryDirectory("trap-count"), method: "ew", epochs: 1)
    c.dataset.testSamples = 1 << 41
    let error = #expect(throws: TrainingError.self) { _ = try TrainingData.load(c.dataset, seed: 0) }
    let message = try #require(error).message
    #expect(message.hasPrefix("dataset.test_samples must be within 0…2^40") && message.contains("\(1 << 41)"), "\(message)")
  }
}
