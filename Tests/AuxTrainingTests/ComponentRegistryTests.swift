import AuxData
import AuxEngine
import AuxNN
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// The registries of datasets, networks, optimisers and schedules: a toy of each, registered in a
/// copy of the standard registries, is loaded, validated and trained through the normal builder;
/// names outside a registry fail with the registered names.
@Suite("Component registries")
struct ComponentRegistryTests {
  static func toyConfig(_ dir: URL) -> TrainConfig {
    var c = TrainConfig()
    c.output = dir.path
    c.experiment = "toys"
    c.seed = 5
    c.dataset.name = "toy-signs"
    c.dataset.trainSamples = 32
    c.tasks.primary = ["sign"]
    c.tasks.auxiliary = ["bright"]
    c.method.name = "ew"
    c.model.encoder = "toy-conv"
    c.model.head = "toy-pointwise"
    c.optimizer.name = "toy-sign-gd"
    c.optimizer.learningRate = 0.01
    c.schedule.name = "toy-halving"
    c.training.epochs = 2
    c.training.batchSize = 8
    c.training.prefetch = 0
    return c
  }

  @Test("a toy dataset, encoder, head, optimiser and schedule train through RunBuilder")
  func toysTrain() throws {
    let registries = try toyRegistries()
    let config = Self.toyConfig(try Fixtures.temporaryDirectory("toy-components"))
    try config.validate(registries: registries)
    let trainer = try RunBuilder.makeTrainer(config, registries: registries)
    #expect(trainer.data.validation == nil)  // toy-signs throws DatasetError(missingSplit: .validation)
    let model = try #require(trainer.network as? MultiTaskModel)
    #expect(model.encoder is ToyConvEncoder)
    #expect(model.heads[0] is ToyPointwiseHead && model.heads[1] is ClassificationHead)
    #expect(trainer.optimizer is ToySignDescent)
    let before = trainer.network.module.stateDict()
    let record = try trainer.run(resume: false)
    #expect(record.status == .finished && record.epochsCompleted == 2)
    #expect(record.finalMetrics.allSatisfy { $0.value.isFinite } && !record.finalMetrics.isEmpty)
    // Sign descent moves every weight that got a gradient by a multiple of the (halving) rate.
    let after = trainer.network.module.stateDict()
    #expect(before.contains { k, v in v.scalars != after[k]?.scalars })
    // After two epochs the scheduler has halved the rate twice.
    #expect(abs(trainer.optimizer.groups[0].learningRate - 0.0025) < 1e-7)
  }

  @Test("a config naming the toys loads with the toy registries, and lists them when it does not")
  func toysInConfigFiles() throws {
    let yaml = "dataset:\n  name: toy-signs\nmodel:\n  encoder: toy-conv\n  head: toy-pointwise\noptimizer:\n  name: toy-sign-gd\nschedule:\n  name: toy-halving\ntasks:\n  primary: sign\n"
    var loader = ConfigLoader(registries: try toyRegistries())
    try loader.apply(yaml: yaml, source: "toys.yaml")
    let c = try loader.validated()
    #expect(c.dataset.name == "toy-signs" && c.model.encoder == "toy-conv" && c.optimizer.name == "toy-sign-gd")

    var standard = ConfigLoader()
    let e = try #require(throws: ConfigError.self) { try standard.apply(yaml: yaml, source: "toys.yaml") }
    #expect(e.key == "dataset.name" && e.message.contains("must be one of \(TrainConfig.datasetNames.joined(separator: ", "))"), "\(e)")
    var withToys = ConfigLoader(registries: try toyRegistries())
    let e2 = try #require(throws: ConfigError.self) { try withToys.apply(yaml: "model:\n  encoder: toy-cnv\n", source: "toys.yaml") }
    #expect(e2.message.contains("toy-conv") && e2.message.contains("refcnn"), "\(e2)")
  }

  @Test("the builder rejects unregistered names, listing the registered ones")
  func unknownNames() throws {
    let registries = try toyRegistries()
    let dir = try Fixtures.temporaryDirectory("toy-unknown")
    var c = Self.toyConfig(dir)
    c.optimizer.name = "lion"
    #expect { try RunBuilder.makeTrainer(c, registries: registries) } throws: { e in
      "\(e)" == "optimizer.name: 'lion' is not one of sgd, adam, adamw, toy-sign-gd"
    }
    c = Self.toyConfig(dir)
    c.schedule.name = "onecycle"
    #expect { try RunBuilder.makeTrainer(c, registries: registries) } throws: { e in
      "\(e)" == "schedule.name: 'onecycle' is not one of constant, step, cosine, poly, toy-halving"
    }
    c = Self.toyConfig(dir)
    c.model.encoder = "vit"
    #expect { try RunBuilder.makeTrainer(c, registries: registries) } throws: { e in
      "\(e)" == "model.encoder: 'vit' is not one of refcnn, resnet18, resnet34, resnet50, vgg16-bn, toy-conv"
    }
    // The standard registries do not know the toys.
    #expect { try RunBuilder.makeTrainer(Self.toyConfig(dir), registries: .standard) } throws: { e in
      "\(e)".hasPrefix("dataset.name: 'toy-signs' is not one of scenes, fashion")
    }
    // A dataset's own range (toy-signs: 1…1000 training images) is checked before it loads.
    c = Self.toyConfig(dir)
    c.dataset.trainSamples = 5000
    #expect { try RunBuilder.makeTrainer(c, registries: registries) } throws: { e in
      "\(e)" == "dataset.train_samples must be within 1…1000 for toy-signs, got 5000"
    }
  }

  @Test("a name registers once; the listing shows every entry with the keys it reads")
  func registrationAndListing() throws {
    var registries = try toyRegistries()
    #expect(throws: RegistryError.self) { try registries.optimizers.register(.toySignDescent) }
    #expect(throws: RegistryError.self) { try registries.datasets.register(ScenesDataset.descriptor) }
    let listing = try registries.listing()
    for name in ["toy-signs", "toy-conv", "toy-pointwise", "toy-sign-gd", "toy-halving", "scenes", "resnet50", "aspp", "adamw", "poly"] {
      #expect(listing.contains("  \(name) "), "listing lacks \(name)")
    }
    #expect(listing.contains("optimizer.momentum: momentum (a number in [0, 1); default 0.9)"), "\(listing)")
    #expect(listing.contains("dataset.size: image side (within 32…256; default 64)"), "\(listing)")
    #expect(try registries.listing(key: "schedule.name").hasPrefix("schedule.name (default constant)\n"))
    #expect(throws: TrainingError.self) { try registries.listing(key: "training.epochs") }
  }

  @Test("docs/configuration.md lists exactly the registered names of each key")
  func docsListRegisteredNames() throws {
    let doc = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/configuration.md"), encoding: .utf8)
    for section in RunRegistries.standard.sections {
      let row = "| `\(section.key)` | \(section.entries.map { "`\($0.name)`" }.joined(separator: ", ")) |"
      #expect(doc.contains(row), "docs/configuration.md: expected the row \(row)")
    }
  }
}
