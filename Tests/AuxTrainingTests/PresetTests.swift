import AuxTraining
import Foundation
import Testing

private func preset(_ name: String) throws -> TrainConfig {
  try PresetFiles.load(name)
}

/// The presets under `configs/` parse, validate, and hold the paper settings they claim.
@Suite("Presets")
struct PresetTests {
  @Test("every preset in configs/ parses and validates, and starts with a header comment")
  func everyPresetLoads() throws {
    let files = PresetFiles.names.map(PresetFiles.url)
    #expect(Set(files.map(\.lastPathComponent)).isSuperset(of: [
      "nyuv2.yaml", "cityscapes.yaml", "multi-cifar100.yaml", "fashion-quick.yaml", "scenes-quick.yaml",
    ]))
    for file in files {
      let config = try TrainConfig.load(file: file)
      let text = try String(contentsOf: file, encoding: .utf8)
      #expect(text.hasPrefix("# "), "\(file.lastPathComponent) has no header comment")
      #expect(config.experiment != TrainConfig().experiment, "\(file.lastPathComponent) should name its experiment")
      // The resolved form reads back identically.
      #expect(try TrainConfig.parse(yaml: config.yaml()) == config, "\(file.lastPathComponent)")
    }
  }

  @Test("nyuv2: dilated ResNet-50 + ASPP, Adam 1e-4, wd 1e-4, batch 8, 100 epochs, poly 0.9 (IAL's NYUv2 setting)")
  func nyuv2() throws {
    let c = try preset("nyuv2")
    #expect(c.dataset.name == "nyuv2" && c.dataset.augment)
    #expect(c.model.encoder == "resnet50" && c.model.head == "aspp" && c.model.outputStride == 8)
    #expect(c.optimizer.name == "adam" && c.optimizer.learningRate == 1e-4 && c.optimizer.weightDecay == 1e-4)
    #expect(c.schedule.name == "poly" && c.schedule.power == 0.9)
    #expect(c.training.epochs == 100 && c.training.batchSize == 8)
    #expect(c.tasks.primary == ["semantic"] && c.tasks.auxiliary == ["depth", "normal"])
    #expect(c.tasks.mainMetric == ["semantic": "mIoU", "depth": "rmse", "normal": "mean"])
    #expect(c.method.weightDecay == 0, "the preset states that IAL's σ parameters are not decayed")
  }

  @Test("cityscapes: dilated ResNet-50 + DeepLab heads, SGD 0.1 momentum 0.9 wd 1e-4, batch 4, 200 epochs, cosine")
  func cityscapes() throws {
    let c = try preset("cityscapes")
    #expect(c.dataset.name == "cityscapes" && c.dataset.augment)
    #expect(c.model.encoder == "resnet50" && c.model.head == "aspp")
    #expect(c.optimizer.name == "sgd" && c.optimizer.learningRate == 0.1 && c.optimizer.momentum == 0.9 && c.optimizer.weightDecay == 1e-4)
    #expect(c.schedule.name == "cosine" && c.schedule.minLearningRate == 0)
    #expect(c.training.epochs == 200 && c.training.batchSize == 4)
    #expect(c.tasks.auxiliary == ["part", "disparity"] && c.tasks.mainMetric["disparity"] == "absErr")
    #expect(c.method.weightDecay == 0, "the preset states that IAL's σ parameters are not decayed")
  }

  @Test("multi-cifar100: VGG-16 (task-conditional BN), SGD 0.1, wd 5e-4, cosine, 200 epochs, batch 32")
  func cifar() throws {
    let c = try preset("multi-cifar100")
    #expect(c.dataset.name == "multi-cifar100" && c.model.encoder == "vgg16-bn")
    #expect(c.optimizer.name == "sgd" && c.optimizer.learningRate == 0.1 && c.optimizer.momentum == 0.9 && c.optimizer.weightDecay == 5e-4)
    #expect(c.schedule.name == "cosine" && c.training.epochs == 200 && c.training.batchSize == 32)
    #expect(c.tasks.primary == ["domain_14"] && c.tasks.auxiliary == nil)
  }

  @Test("quick presets: small subsets, the reference CNN, a few epochs")
  func quick() throws {
    for name in ["fashion-quick", "scenes-quick"] {
      let c = try preset(name)
      #expect(c.model.encoder == "refcnn" && c.training.epochs <= 10, "\(name)")
      #expect(c.dataset.trainSamples > 0 && c.dataset.trainSamples <= 10_000, "\(name)")
    }
    #expect(try preset("scenes-quick").dataset.size == 64)
    #expect(try preset("fashion-quick").tasks.primary == ["item"])
  }
}
