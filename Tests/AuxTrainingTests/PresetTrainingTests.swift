import AuxData
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// Every preset in `configs/` trains and evaluates, as `auxmtl train --config <preset>` would run
/// it, on a handful of samples for one step, with its own model, method, optimiser and tasks (about
/// 40 s in release mode on 2 loaded cores, most of it multi-cifar100's 20 VGG-16 domains).
///
/// The data each preset needs is looked up by its `dataset.name` in ``PresetTrainingTests/sources``:
/// generated data (`scenes`), data the Debian package installs (`fashion`, as `make test`'s
/// dependency step does), or tiny files in the dataset's exact on-disk layout, written by the
/// loader tests' ``AuxTestSupport/PaperLayouts`` (NYUv2, Cityscapes, CIFAR-100). A preset of a
/// dataset missing from that table fails the test, so a new preset cannot go untrained.
@Suite("Presets train and evaluate")
struct PresetTrainingTests {
  /// Where a dataset's data comes from in these tests.
  enum DataSource {
    /// Generated from the seed; nothing to write.
    case generated
    /// Installed by `make deps` (the loader finds it by itself).
    case installed
    /// Tiny files in the dataset's layout, written under the given folder (then `dataset.path`).
    case tinyFiles(@Sendable (URL) throws -> Void)
    /// Cannot run offline, with the reason (the test then only loads the preset).
    case needsUserData(String)
  }

  static let sources: [String: DataSource] = [
    "scenes": .generated,
    "fashion": .installed,
    "multi-fashion": .installed,
    "nyuv2": .tinyFiles { root in
      try PaperLayouts.writeNYUv2(root: root, split: "train", count: 4)
      try PaperLayouts.writeNYUv2(root: root, split: "val", count: 2)
    },
    // 32×64 rather than the loader tests' 4×6: at 4×6 ResNet-50's last stages see 1×1 maps, batch
    // normalisation over two values makes the preset's first step (lr 0.1) blow the weights up
    // to ~1e21, and evaluation then overflows to NaN (ReLU passes NaN on since issue 10).
    "cityscapes": .tinyFiles { root in
      try PaperLayouts.writeCityscapes(root: root, split: "train", count: 4, h: 32, w: 64)
      try PaperLayouts.writeCityscapes(root: root, split: "val", count: 2, h: 32, w: 64)
    },
    "multi-cifar100": .tinyFiles { root in
      // One image per fine class: five per domain (superclass) in each split.
      try PaperLayouts.writeCIFAR100(root.appendingPathComponent("cifar-100-binary/train.bin"), fines: Array(0..<100), perFine: 1)
      try PaperLayouts.writeCIFAR100(root.appendingPathComponent("cifar-100-binary/test.bin"), fines: Array(0..<100), perFine: 1)
    },
  ]

  /// Overrides of each smoke run, after the preset (and a variant): a handful of samples, batches
  /// of two, one epoch of one step, every evaluation kept.
  static func smokeOverrides(output: URL, dataset: String, data: URL?) -> [String] {
    var o = [
      "output=\(output.path)",
      "dataset.train_samples=4", "dataset.validation_samples=2", "dataset.test_samples=2",
      "training.epochs=1", "training.max_steps_per_epoch=1", "training.batch_size=2", "training.log_every=1",
    ]
    if let data { o.append("dataset.path=\(data.path)") }
    // Auto-Lambda's random 256×256 crop pads the 4×6 files to 256×256, which would make one
    // ResNet-50 step take minutes; the crop itself is tested in CityscapesTests.
    if dataset == "cityscapes" { o.append("dataset.augment=false") }
    return o
  }

  /// Loads `preset` with `variant`'s overrides, then the smoke overrides, with the data it needs.
  /// Returns nil (and records why) when the dataset has no source.
  static func smokeConfig(_ preset: String, variant: [String] = [], in dir: URL, notes: inout [String]) throws -> TrainConfig? {
    let plain = try TrainConfig.load(file: PresetFiles.url(preset), overrides: variant)
    guard let source = sources[plain.dataset.name] else {
      Issue.record("\(preset): dataset '\(plain.dataset.name)' has no data source in PresetTrainingTests.sources; add one (tiny layout files, or .needsUserData with the reason)")
      return nil
    }
    var data: URL?
    switch source {
    case .generated, .installed: data = nil
    case .tinyFiles(let write):
      let root = dir.appendingPathComponent("data")
      if !FileManager.default.fileExists(atPath: root.path) { try write(root) }
      data = root
    case .needsUserData(let reason):
      Issue.record("\(preset): not trained: \(reason)")
      return nil
    }
    var collected: [String] = []
    let config = try TrainConfig.load(
      file: PresetFiles.url(preset), overrides: variant + smokeOverrides(output: dir.appendingPathComponent("runs"), dataset: plain.dataset.name, data: data),
      note: { collected.append($0) })
    notes = collected
    return config
  }

  /// Pseudo tasks whose teacher is a run under `runs/<experiment>/` (as a preset's header tells
  /// to train first): the preset of that experiment is trained here first, the same way, and the
  /// teacher path points at its run.
  static func withTeachers(_ config: TrainConfig, preset: String, in dir: URL) throws -> TrainConfig {
    var config = config
    for (name, var entry) in config.tasks.pseudoTasks.sorted(by: { $0.key < $1.key }) {
      guard let teacher = entry.teacher, teacher.hasPrefix("runs/") else { continue }
      let experiment = teacher.dropFirst(5).split(separator: "/").first.map(String.init) ?? ""
      guard let source = try PresetFiles.names.first(where: { try PresetFiles.load($0).experiment == experiment }) else {
        Issue.record("\(preset): tasks.pseudo.\(name).teacher \(teacher) is no preset's experiment")
        continue
      }
      let run = dir.appendingPathComponent(teacher)
      if !FileManager.default.fileExists(atPath: run.path) {
        var notes: [String] = []
        guard let c = try smokeConfig(source, in: dir, notes: &notes) else { continue }
        #expect(try RunBuilder.makeTrainer(c, networks: StandardNetworks.factory).run(resume: false).status == .finished, "teacher \(source)")
      }
      entry.teacher = run.path
      config.tasks.pseudoTasks[name] = entry
    }
    return config
  }

  @Test("configs/ holds presets, and each dataset they use has a data source here")
  func everyPresetHasData() throws {
    #expect(PresetFiles.names.count >= 5, "configs/ lists \(PresetFiles.names)")
    for name in PresetFiles.names {
      let c = try PresetFiles.load(name)
      #expect(Self.sources[c.dataset.name] != nil, "\(name): dataset '\(c.dataset.name)' has no data source in PresetTrainingTests.sources")
      if case .needsUserData = Self.sources[c.dataset.name] { Issue.record("\(name) is not trained offline") }
    }
  }

  @Test("every preset trains a step on a handful of samples, then evaluates on validation and test", arguments: PresetFiles.names)
  func trains(preset: String) throws {
    let dir = try Fixtures.temporaryDirectory("preset-\(preset)")
    defer { try? FileManager.default.removeItem(at: dir) }
    var notes: [String] = []
    guard let loaded = try Self.smokeConfig(preset, in: dir, notes: &notes) else { return }
    #expect(notes.isEmpty, "\(preset): \(notes)")
    let config = try Self.withTeachers(loaded, preset: preset, in: dir)
    let trainer = try RunBuilder.makeTrainer(config, resolvedConfigText: config.yaml(), networks: StandardNetworks.factory)
    let record = try trainer.run(resume: false)
    #expect(record.status == .finished, "\(preset)")
    #expect(record.epochsCompleted == 1)

    // The preset's own model, method and tasks were trained (only sizes were overridden).
    let plain = try PresetFiles.load(preset)
    #expect(loaded.model == plain.model && loaded.method == plain.method && loaded.tasks == plain.tasks && loaded.optimizer == plain.optimizer)
    #expect(record.model == "\(plain.model.encoder)+\(plain.model.head)")
    let steps = try trainer.folder.steps()
    #expect(steps.map(\.step) == [1], "\(preset): steps \(steps.map(\.step))")

    // Validation (where the dataset has the split) and test, with every task's main metric.
    let evaluations = try trainer.folder.evaluations()
    #expect(evaluations.map(\.split) == (trainer.data.validation == nil ? ["train", "test"] : ["val", "test"]), "\(preset)")
    for evaluation in evaluations where evaluation.split != "train" {
      for o in trainer.objectives {
        let main = evaluation.metrics.first { $0.task == o.name && $0.metric == o.mainMetric }
        #expect(main != nil, "\(preset) \(evaluation.split): no \(o.name)/\(o.mainMetric)")
        // A pseudo task's hard labels come from a teacher trained here for one step, which
        // may label no pixel above its threshold: its metrics are then NaN (no valid pixel).
        if config.tasks.pseudoTasks[o.name] == nil {
          #expect(main.map { !$0.value.isNaN } ?? false, "\(preset) \(evaluation.split): \(o.name)/\(o.mainMetric) is NaN")
        }
      }
    }
    // The record's final metrics are the test evaluation's (NaN equal to NaN).
    let final = record.finalMetrics.map { "\($0.key)=\($0.value)" }
    #expect(!final.isEmpty && final == evaluations.last?.metrics.map { "\($0.key)=\($0.value)" })
    #expect(FileManager.default.fileExists(atPath: trainer.folder.configURL.path))
  }

  @Test("the variants each preset's header documents load, validate and build their run as written", arguments: PresetFiles.names)
  func variants(preset: String) throws {
    let text = try String(contentsOf: PresetFiles.url(preset), encoding: .utf8)
    let variants = try PresetVariant.parse(text, file: preset)
    // A preset documents variants, or whole commands (run by PaperPresetCommandTests).
    let commands = text.split(separator: "\n").prefix { $0.hasPrefix("#") }.contains { $0.contains("auxmtl train --config") || $0.contains("auxmtl compare --config") }
    #expect(!variants.isEmpty || commands, "\(preset) documents no variants and no commands")
    let dir = try Fixtures.temporaryDirectory("variants-\(preset)")
    defer { try? FileManager.default.removeItem(at: dir) }
    for variant in variants {
      var notes: [String] = []
      let config: TrainConfig?
      do {
        config = try Self.smokeConfig(preset, variant: variant.overrides, in: dir, notes: &notes)
      } catch {
        Issue.record("\(preset) \(variant): \(error)")
        continue
      }
      guard let config else { continue }
      // The variant's overrides hold in the resolved config (those the smoke run does not replace).
      let plain = try TrainConfig.load(file: PresetFiles.url(preset), overrides: variant.overrides)
      #expect(config.method == plain.method && config.tasks == plain.tasks && config.schedule == plain.schedule && config.seed == plain.seed)
      // The run builds: data, tasks, network, method, optimiser, schedule.
      let data = try TrainingData.load(config.dataset, seed: config.seed)
      let objectives = try RunBuilder.objectives(config, available: data.tasks)
      #expect(objectives.contains { $0.role == .primary }, "\(preset) \(variant)")
      _ = try RunBuilder.makeSchedule(config)
    }
  }

  @Test("a task moved to primary on the command line leaves the preset's auxiliaries, and a note says so")
  func primaryMoves() throws {
    var notes: [String] = []
    let depth = try TrainConfig.load(file: PresetFiles.url("scenes-quick"), overrides: ["tasks.primary=depth"], note: { notes.append($0) })
    #expect(depth.tasks.primary == ["depth"] && depth.tasks.auxiliary == ["normal", "edge"])
    #expect(notes.count == 1)
    #expect(notes.first?.contains("'depth' is now primary") == true && notes.first?.contains("command line") == true, "\(notes)")
    #expect(notes.first?.contains("auxiliary tasks: normal, edge") == true, "\(notes)")

    // `all` moves every auxiliary.
    notes = []
    let all = try TrainConfig.load(file: PresetFiles.url("cityscapes"), overrides: ["tasks.primary=all", "method.name=ew"], note: { notes.append($0) })
    #expect(all.tasks.primary == ["all"] && all.tasks.auxiliary == [])
    #expect(notes.first?.contains("'part', 'disparity' are now primary") == true, "\(notes)")

    // Nothing moves, nothing is said.
    notes = []
    let same = try TrainConfig.load(file: PresetFiles.url("scenes-quick"), overrides: ["tasks.primary=semantic"], note: { notes.append($0) })
    #expect(same.tasks.auxiliary == ["depth", "normal", "edge"] && notes.isEmpty)

    // A task named as both primary and auxiliary in one source is still refused, as is an
    // auxiliary list given after the primary that contradicts it.
    #expect(throws: ConfigError.self) { try TrainConfig.parse(yaml: "tasks: {auxiliary: [depth], primary: depth}") }
    #expect(throws: ConfigError.self) {
      try TrainConfig.load(file: PresetFiles.url("scenes-quick"), overrides: ["tasks.primary=depth", "tasks.auxiliary=[depth, edge]"])
    }
    // The trainer trains what the note says.
    let data = try TrainingData.load({ var d = depth.dataset; d.trainSamples = 2; d.validationSamples = 0; d.testSamples = 2; return d }(), seed: 0)
    let objectives = try RunBuilder.objectives(depth, available: data.tasks)
    #expect(objectives.map { "\($0.name):\($0.role.rawValue)" } == ["depth:primary", "normal:auxiliary", "edge:auxiliary"])
  }
}
