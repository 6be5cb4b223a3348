import AuxTraining
import Foundation
import Testing

/// Parses `yaml` and returns the error it must raise.
private func configError(_ yaml: String, overrides: [String] = [], source: String = "test.yaml") -> ConfigError? {
  do {
    _ = try TrainConfig.parse(yaml: yaml, source: source, overrides: overrides)
    return nil
  } catch let e as ConfigError {
    return e
  } catch {
    Issue.record("expected a ConfigError, got \(error)")
    return nil
  }
}

/// Loading YAML into `TrainConfig`: every key, every kind of error, overrides, and the round trip.
@Suite("Configuration loading")
struct ConfigLoaderTests {
  @Test("an empty file (or only comments) gives the defaults")
  func emptyFile() throws {
    #expect(try TrainConfig.parse(yaml: "") == TrainConfig())
    #expect(try TrainConfig.parse(yaml: "# nothing here\n") == TrainConfig())
    #expect(try TrainConfig.parse(yaml: "training:\n") == TrainConfig())
  }

  @Test("snake_case keys set the camelCase fields of every section")
  func everySection() throws {
    let c = try TrainConfig.parse(yaml: """
      experiment: nyu-aux
      output: out/runs
      seed: 7
      dataset:
        name: nyuv2
        path: /data/nyuv2
        size: 128
        train_samples: 100
        validation_samples: 10
        test_samples: 20
        augment: yes
        cache: /tmp/cache
      tasks:
        primary: depth
        auxiliary: [semantic, normal]
        main_metric: {depth: rmse}
      method:
        name: gradnorm
        options: {alpha: 1.5, level: representation}
        learning_rate: 0.025
      model:
        encoder: resnet50
        head: aspp
        output_stride: 16
        pretrained: weights/resnet50.safetensors
      optimizer:
        name: sgd
        learning_rate: 1e-4
        weight_decay: 5e-4
        momentum: 0.5
        clip_norm: 10
      schedule:
        name: step
        step_size: 100
        gamma: 0.5
        min_learning_rate: 0.000001
        power: 2
        warmup_epochs: 3
      training:
        epochs: 200
        batch_size: 4
        eval_every: 2
        early_stopping_patience: 5
        log_every: 1
        threads: 1
        prefetch: 0
        max_steps_per_epoch: 1_000
      """)
    #expect(c.experiment == "nyu-aux" && c.output == "out/runs" && c.seed == 7)
    #expect(c.dataset.name == "nyuv2" && c.dataset.path == "/data/nyuv2" && c.dataset.size == 128)
    #expect(c.dataset.trainSamples == 100 && c.dataset.validationSamples == 10 && c.dataset.testSamples == 20)
    #expect(c.dataset.augment && c.dataset.cache == "/tmp/cache")
    #expect(c.tasks.primary == ["depth"] && c.tasks.auxiliary == ["semantic", "normal"] && c.tasks.mainMetric == ["depth": "rmse"])
    #expect(c.method.name == "gradnorm" && c.method.options == ["alpha": "1.5", "level": "representation"] && c.method.learningRate == 0.025)
    #expect(c.model.encoder == "resnet50" && c.model.head == "aspp" && c.model.outputStride == 16)
    #expect(c.model.pretrained == "weights/resnet50.safetensors")
    #expect(c.optimizer.name == "sgd" && c.optimizer.learningRate == 1e-4 && c.optimizer.weightDecay == 5e-4)
    #expect(c.optimizer.momentum == 0.5 && c.optimizer.clipNorm == 10)
    #expect(c.schedule.name == "step" && c.schedule.stepSize == 100 && c.schedule.gamma == 0.5)
    #expect(c.schedule.minLearningRate == 1e-6 && c.schedule.power == 2 && c.schedule.warmupEpochs == 3)
    #expect(c.training.epochs == 200 && c.training.batchSize == 4 && c.training.evalEvery == 2)
    #expect(c.training.earlyStoppingPatience == 5 && c.training.logEvery == 1 && c.training.threads == 1)
    #expect(c.training.prefetch == 0 && c.training.maxStepsPerEpoch == 1000)
  }

  @Test("the schema has one snake_case key for every stored property of TrainConfig")
  func schemaCoversEveryField() throws {
    func snake(_ s: String) -> String {
      var out = ""
      for ch in s {
        if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
      }
      return out
    }
    func paths(_ value: Any, prefix: String) -> [String] {
      Mirror(reflecting: value).children.flatMap { child -> [String] in
        let name = snake(child.label!)
        let path = prefix.isEmpty ? name : "\(prefix).\(name)"
        let sub = Mirror(reflecting: child.value)
        // Nested config structs (not optionals, arrays or dictionaries) are sections.
        if sub.displayStyle == .struct && !sub.children.isEmpty && !(child.value is String) { return paths(child.value, prefix: path) }
        return [path]
      }
    }
    let expected = Set(paths(TrainConfig(), prefix: ""))
    // Every key appears in the written YAML under its section.
    let written = TrainConfig().yaml()
    var found: Set<String> = []
    var section = ""
    for line in written.split(separator: "\n") where !line.hasPrefix("#") {
      let indented = line.hasPrefix("  ")
      let key = line.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)[0]
      if !indented {
        if line.hasSuffix(":") { section = String(key) } else { found.insert(String(key)) }
      } else {
        found.insert("\(section).\(key)")
      }
    }
    #expect(expected.count == 49)
    #expect(found == expected, "missing from the schema: \(expected.subtracting(found).sorted()); extra: \(found.subtracting(expected).sorted())")

    // docs/configuration.md documents every key.
    let doc = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/configuration.md"), encoding: .utf8)
    for key in expected.sorted() { #expect(doc.contains("| `\(key)` |"), "docs/configuration.md does not document \(key)") }
  }

  // MARK: - Unknown keys

  @Test("an unknown key names its full path, the allowed keys of its section and the close one")
  func unknownKey() throws {
    let e = try #require(configError("training:\n  epochs: 3\n  batchsize: 4\n"))
    #expect(e.key == "training.batchsize")
    #expect(e.location == ConfigLocation(source: "test.yaml", line: 3, column: 3))
    #expect(e.message.contains("allowed keys in training: epochs, batch_size, eval_every, early_stopping_patience, log_every, threads, prefetch, max_steps_per_epoch"))
    #expect(e.message.contains("did you mean training.batch_size?"))
    #expect(e.description.hasPrefix("test.yaml:3:3: training.batchsize: unknown key 'batchsize'"))

    let camel = try #require(configError("optimizer:\n  learningRate: 0.1\n"))
    #expect(camel.key == "optimizer.learningRate" && camel.message.contains("did you mean optimizer.learning_rate?"))
  }

  @Test("a key in the wrong section or at the top level points to where it belongs")
  func misplacedKey() throws {
    let top = try #require(configError("epochs: 3\n"))
    #expect(top.key == "epochs" && top.message.contains("allowed keys at the top level: experiment, output, seed, dataset, tasks"))
    #expect(top.message.contains("did you mean training.epochs?"))
    let wrong = try #require(configError("training:\n  momentum: 0.9\n"))
    #expect(wrong.key == "training.momentum" && wrong.message.contains("did you mean optimizer.momentum?"))
    let section = try #require(configError("datasets:\n  name: scenes\n"))
    #expect(section.key == "datasets" && section.message.contains("did you mean dataset?"))
    let nothingClose = try #require(configError("model:\n  colour: red\n"))
    #expect(nothingClose.message.contains("allowed keys in model: encoder, head, output_stride, pretrained") && !nothingClose.message.contains("did you mean"))
  }

  // MARK: - Types

  @Test("a wrong type names the key, the expected type and what was found")
  func wrongTypes() throws {
    let cases: [(String, String, String, String)] = [
      ("training:\n  epochs: many\n", "training.epochs", "expected an integer ≥ 1", "found the text 'many'"),
      ("training:\n  epochs: 2.5\n", "training.epochs", "expected an integer ≥ 1", "found the number 2.5"),
      ("optimizer:\n  learning_rate: \"0.1\"\n", "optimizer.learning_rate", "expected a number > 0", "found the quoted text \"0.1\""),
      ("optimizer:\n  learning_rate: [0.1]\n", "optimizer.learning_rate", "expected a number > 0", "found a list"),
      ("dataset:\n  augment: 3\n", "dataset.augment", "expected true or false", "found the number 3"),
      ("dataset:\n  name:\n", "dataset.name", "expected one of scenes", "found nothing (null)"),
      ("training: 5\n", "training", "expected a mapping of training keys (epochs, batch_size", "found the number 5"),
      ("tasks:\n  primary: {a: b}\n", "tasks.primary", "expected a name or a list of names", "found a mapping"),
      ("tasks:\n  primary: [semantic, ~]\n", "tasks.primary[1]", "expected a task name", "found nothing (null)"),
      ("method:\n  options: [a, b]\n", "method.options", "expected a mapping of names to values", "found a list"),
      ("method:\n  options:\n    sign_mask: [true]\n", "method.options.sign_mask", "expected a single value", "found a list"),
      ("seed: -1\n", "seed", "expected a whole number", "found the number -1"),
      ("- a\n- b\n", "", "a configuration is a mapping of keys", "found a list"),
    ]
    for (yaml, key, expected, found) in cases {
      let e = try #require(configError(yaml), "\(yaml)")
      #expect(e.key == key, "\(yaml)")
      #expect(e.message.contains(expected) && e.message.contains(found), "\(e)")
      #expect(e.location.source == "test.yaml" && e.location.line != nil, "\(e)")
    }
  }

  @Test("errors carry the line of the offending value")
  func lineNumbers() throws {
    let e = try #require(configError("experiment: x\n\noptimizer:\n  name: adam\n  weight_decay: -1\n"))
    #expect(e.location.line == 5 && e.key == "optimizer.weight_decay" && e.message.contains("≥ 0"))
  }

  @Test("YAML syntax errors and repeated keys name the file and the line")
  func syntax() throws {
    let bad = try #require(configError("training:\n  epochs: [1, 2\n  batch_size: 3\n"))
    #expect(bad.location.source == "test.yaml" && bad.location.line != nil && bad.message.contains("not valid YAML"))
    let twice = try #require(configError("training:\n  epochs: 1\n  epochs: 2\n"))
    #expect(twice.message.contains("given twice") && twice.message.contains("epochs") && twice.location.line != nil)
  }

  // MARK: - Allowed values

  @Test("enumerated values name the key and every allowed value, with a suggestion for near misses")
  func enumerations() throws {
    let cases: [(String, String, [String])] = [
      ("dataset:\n  name: nyu\n", "dataset.name", TrainConfig.datasetNames),
      ("model:\n  encoder: resnet101\n", "model.encoder", TrainConfig.encoderNames),
      ("model:\n  head: deeplab\n", "model.head", TrainConfig.headNames),
      ("optimizer:\n  name: rmsprop\n", "optimizer.name", TrainConfig.optimizerNames),
      ("schedule:\n  name: linear\n", "schedule.name", TrainConfig.scheduleNames),
    ]
    for (yaml, key, allowed) in cases {
      let e = try #require(configError(yaml))
      #expect(e.key == key && e.message.contains("must be one of \(allowed.joined(separator: ", "))"), "\(e)")
      #expect(e.location.line == 2)
    }
    #expect(TrainConfig.datasetNames == ["scenes", "fashion", "multi-fashion", "nyuv2", "cityscapes", "multi-cifar100"])
    #expect(try #require(configError("optimizer:\n  name: adma\n")).message.hasSuffix("did you mean adam?"))
    #expect(try #require(configError("schedule:\n  name: Cosine\n")).message.hasSuffix("did you mean cosine?"))
  }

  @Test("numeric ranges")
  func ranges() throws {
    let cases: [(String, String, String)] = [
      ("training:\n  epochs: 0\n", "training.epochs", "≥ 1; found 0"),
      ("training:\n  batch_size: -4\n", "training.batch_size", "≥ 1; found -4"),
      ("optimizer:\n  learning_rate: 0\n", "optimizer.learning_rate", "> 0; found 0"),
      ("optimizer:\n  momentum: 1.0\n", "optimizer.momentum", "in [0, 1); found 1.0"),
      ("optimizer:\n  learning_rate: .inf\n", "optimizer.learning_rate", "finite"),
      ("dataset:\n  size: 16\n", "dataset.size", "in 32…256; found 16"),
      ("dataset:\n  size: 300\n", "dataset.size", "in 32…256; found 300"),
      ("model:\n  output_stride: 12\n", "model.output_stride", "out of 8, 16, 32; found 12"),
      ("schedule:\n  gamma: 0\n", "schedule.gamma", "in (0, 1]; found 0"),
      ("schedule:\n  step_size: 0\n", "schedule.step_size", "≥ 1; found 0"),
      ("method:\n  learning_rate: -0.1\n", "method.learning_rate", "> 0; found -0.1"),
      ("dataset:\n  train_samples: -1\n", "dataset.train_samples", "≥ 0; found -1"),
    ]
    for (yaml, key, text) in cases {
      let e = try #require(configError(yaml), "\(yaml)")
      #expect(e.key == key && e.message.contains(text), "\(e)")
    }
    // The bounds themselves are accepted.
    let c = try TrainConfig.parse(yaml: "dataset: {size: 32}\nmodel: {output_stride: 32}\nschedule: {gamma: 1}\noptimizer: {momentum: 0}\n")
    #expect(c.dataset.size == 32 && c.model.outputStride == 32 && c.schedule.gamma == 1 && c.optimizer.momentum == 0)
  }

  // MARK: - Tasks and methods

  @Test("tasks.primary takes a name, a list, or all")
  func primaryForms() throws {
    #expect(try TrainConfig.parse(yaml: "tasks: {primary: depth}").tasks.primary == ["depth"])
    #expect(try TrainConfig.parse(yaml: "tasks: {primary: [depth, normal]}").tasks.primary == ["depth", "normal"])
    let all = try TrainConfig.parse(yaml: "tasks: {primary: all}\nmethod: {name: ew}")
    #expect(all.tasks.primary == ["all"] && all.tasks.auxiliary == nil)
    #expect(try TrainConfig.parse(yaml: "tasks: {auxiliary: []}\nmethod: {name: ew}").tasks.auxiliary == [])

    let twice = try #require(configError("tasks:\n  primary: [depth, depth]\n"))
    #expect(twice.key == "tasks.primary" && twice.message.contains("'depth' twice") && twice.location.line == 2)
    let mixed = try #require(configError("tasks: {primary: [all, depth]}\nmethod: {name: ew}"))
    #expect(mixed.key == "tasks.primary" && mixed.message.contains("cannot be combined"))
    let empty = try #require(configError("tasks: {primary: []}"))
    #expect(empty.key == "tasks.primary" && empty.message.contains("at least one task"))
    let overlap = try #require(configError("tasks: {primary: depth, auxiliary: [depth, normal]}"))
    #expect(overlap.key == "tasks.auxiliary" && overlap.message.contains("'depth' is also primary"))
    let allAux = try #require(configError("tasks: {primary: all, auxiliary: [depth]}\nmethod: {name: ew}"))
    #expect(allAux.key == "tasks.auxiliary" && allAux.message.contains("must be empty or null"))
  }

  @Test("method names are checked against the registry, listing the allowed ones")
  func methodNames() throws {
    let e = try #require(configError("method:\n  name: ial2\n"))
    #expect(e.key == "method.name" && e.location.line == 2)
    #expect(e.message.contains("must be one of ial, ial-grad-fixed, ial-uncertainty, ial-rts, ial-egn, ial-cos, auto-lambda-impartial, ew, uw, gradnorm") && e.message.contains("single-task"))
    #expect(e.message.hasSuffix("did you mean ial?"))
    for name in ["ial", "ew", "uw", "autol", "gcs", "cagrad", "famo"] where TrainConfig.methodNames.contains(name) {
      #expect(try TrainConfig.parse(yaml: "method: {name: \(name)}").method.name == name)
    }
    // IAL needs an auxiliary task.
    let aux = try #require(configError("tasks: {primary: all}\nmethod: {name: ial}\n"))
    #expect(aux.key == "method.name" && aux.message.contains("auxiliary-learning method") && aux.location.line == 2)
  }

  @Test("method options: unknown names and bad choices fail early; boolean spellings become true/false")
  func methodOptions() throws {
    let unknown = try #require(configError("method:\n  name: ial\n  options: {sign_mask: false, signmask: true}\n"))
    #expect(unknown.key == "method.options" && unknown.message.contains("ial has no option 'signmask'"))
    #expect(unknown.message.contains("its options: sign_mask, weighted_primary_gradient") && unknown.message.hasSuffix("did you mean sign_mask?"))
    #expect(unknown.location.line == 3)
    let choice = try #require(configError("method:\n  name: gradnorm\n  options: {level: middle}\n"))
    #expect(choice.message.contains("gradnorm option 'level' must be one of last_layer, representation; found 'middle'"))
    let c = try TrainConfig.parse(yaml: "method:\n  name: ial\n  options: {sign_mask: no, ema_smooth: 0.9}\n")
    #expect(c.method.options == ["sign_mask": "false", "ema_smooth": "0.9"])
  }

  @Test("single-task runs train one named task, without auxiliaries or options")
  func singleTask() throws {
    let c = try TrainConfig.parse(yaml: "tasks: {primary: depth, auxiliary: []}\nmethod: {name: single-task}\n")
    #expect(c.method.name == "single-task")
    #expect(try #require(configError("tasks: {primary: [depth, normal]}\nmethod: {name: single-task}\n")).key == "tasks.primary")
    #expect(try #require(configError("tasks: {primary: depth, auxiliary: [normal]}\nmethod: {name: single-task}\n")).key == "tasks.auxiliary")
    #expect(try #require(configError("tasks: {primary: depth}\nmethod: {name: single-task, options: {a: b}}\n")).key == "method.options")
  }

  @Test("the cosine schedule's final rate must be below the optimiser's")
  func cosineFloor() throws {
    let e = try #require(configError("optimizer: {learning_rate: 0.01}\nschedule:\n  name: cosine\n  min_learning_rate: 0.1\n"))
    #expect(e.key == "schedule.min_learning_rate" && e.location.line == 4 && e.message.contains("must be smaller"))
    #expect(try TrainConfig.parse(yaml: "optimizer: {learning_rate: 0.01}\nschedule: {name: step, min_learning_rate: 0.1}").schedule.name == "step")
  }

  @Test("validate() also checks a configuration built in code")
  func validateInCode() throws {
    var c = TrainConfig()
    try c.validate()
    c.training.batchSize = 0
    #expect(throws: ConfigError.self) { try c.validate() }
    c = TrainConfig()
    c.model.encoder = "resnet-50"
    let e = try #require(throws: ConfigError.self) { try c.validate() }
    #expect(e.key == "model.encoder" && e.message.contains("must be one of refcnn, resnet18"))
    c = TrainConfig()
    c.experiment = "a/b"
    #expect(throws: ConfigError.self) { try c.validate() }
  }

  // MARK: - Overrides

  @Test("command-line overrides are YAML values applied after the file")
  func overrides() throws {
    let c = try TrainConfig.parse(
      yaml: "training:\n  epochs: 100\nmethod:\n  name: ial\n  options: {sign_mask: false, ema_smooth: 0.5}\n",
      overrides: [
        "training.epochs=5", "optimizer.learning_rate=1e-4", "tasks.primary=[depth, normal]",
        "method.options.clamp_weight=false", "method.options.ema_smooth=", "dataset.augment=true",
        "training={batch_size: 2, prefetch: 0}", "dataset.path=/data/my set", "seed=3",
      ])
    #expect(c.training.epochs == 5 && c.optimizer.learningRate == 1e-4 && c.tasks.primary == ["depth", "normal"])
    #expect(c.method.options == ["sign_mask": "false", "clamp_weight": "false"])
    #expect(c.dataset.augment && c.training.batchSize == 2 && c.training.prefetch == 0 && c.dataset.path == "/data/my set")
    #expect(c.seed == 3)
    // A later override wins.
    #expect(try TrainConfig.parse(yaml: "", overrides: ["training.epochs=5", "training.epochs=6"]).training.epochs == 6)
  }

  @Test("bad overrides fail like bad files, located on the command line")
  func badOverrides() throws {
    let unknown = try #require(configError("", overrides: ["training.batchsize=4"]))
    #expect(unknown.location == .commandLine && unknown.key == "training.batchsize" && unknown.message.contains("did you mean training.batch_size?"))
    let type = try #require(configError("", overrides: ["training.epochs=ten"]))
    #expect(type.location.source == "command line" && type.key == "training.epochs" && type.message.contains("found the text 'ten'"))
    let form = try #require(configError("", overrides: ["training.epochs"]))
    #expect(form.message.contains("key.path=value"))
    let below = try #require(configError("", overrides: ["training.epochs.max=3"]))
    #expect(below.message.contains("training.epochs is a single value"))
    let section = try #require(configError("", overrides: ["optimiser.name=sgd"]))
    #expect(section.key == "optimiser" && section.message.contains("did you mean optimizer?"))
    let yaml = try #require(configError("", overrides: ["tasks.primary=[a, b"]))
    #expect(yaml.key == "tasks.primary" && yaml.message.contains("not valid YAML"))
    let combination = try #require(configError("method: {name: ial}\n", overrides: ["method.options.sign_mask=maybe"]))
    #expect(combination.location == .commandLine && combination.message.contains("must be one of true, false; found 'maybe'"))
  }

  // MARK: - Round trip

  @Test("yaml() writes every field, and reading it back gives an equal configuration")
  func roundTrip() throws {
    var c = TrainConfig()
    c.experiment = "true"
    c.output = "runs: #1"
    c.seed = UInt64.max
    c.dataset.name = "cityscapes"
    c.dataset.path = "null"
    c.dataset.size = 256
    c.dataset.trainSamples = 0
    c.dataset.augment = true
    c.dataset.cache = "~"
    c.tasks.primary = ["semantic", "part"]
    c.tasks.auxiliary = []
    c.tasks.mainMetric = ["semantic": "mIoU", "disparity": "absErr", "part": "1e-4"]
    c.method.name = "ial"
    c.tasks.auxiliary = ["disparity"]
    c.method.options = ["sign_mask": "false", "ema_smooth": "0.9", "init_log_sigma": "-0.34657359027997264", "eps": ""]
    c.method.learningRate = 3e-7
    c.model.encoder = "resnet50"
    c.model.head = "aspp"
    c.model.outputStride = 16
    c.model.pretrained = "w.safetensors"
    c.optimizer.name = "sgd"
    c.optimizer.learningRate = 0.1
    c.optimizer.weightDecay = 1e-4
    c.optimizer.momentum = 0.9
    c.optimizer.clipNorm = 1e-5
    c.schedule.name = "cosine"
    c.schedule.minLearningRate = 1.0 / 30.0
    c.schedule.power = 0.9
    c.schedule.warmupEpochs = 2
    c.training.epochs = 200
    c.training.batchSize = 4
    c.training.maxStepsPerEpoch = 7
    try c.validate()
    let text = c.yaml()
    let back = try TrainConfig.parse(yaml: text, source: "config.yaml")
    #expect(back == c, "\(text)")
    #expect(text.contains("  batch_size: 4\n") && text.contains("  train_samples: 0\n") && text.contains("  auxiliary: [disparity]\n"))

    // nil and empty stay distinct.
    var d = TrainConfig()
    d.tasks.auxiliary = nil
    #expect(try TrainConfig.parse(yaml: d.yaml()).tasks.auxiliary == nil)
    d.method.name = "ew"
    d.tasks.auxiliary = []
    #expect(try TrainConfig.parse(yaml: d.yaml()).tasks.auxiliary == [])
    #expect(try TrainConfig.parse(yaml: TrainConfig().yaml()) == TrainConfig())

    // Through a file.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("auxmtl-config-\(UInt32.random(in: 0...UInt32.max))")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("config.yaml")
    try c.save(to: url)
    #expect(try TrainConfig.load(file: url) == c)
    #expect(try TrainConfig.load(file: url, overrides: ["training.epochs=3"]).training.epochs == 3)
  }

  @Test("a missing file is a ConfigError naming it")
  func missingFile() throws {
    let url = URL(fileURLWithPath: "/nonexistent/auxmtl/config.yaml")
    let e = try #require(throws: ConfigError.self) { try TrainConfig.load(file: url) }
    #expect(e.location.source == url.path && e.message.contains("cannot read"))
  }
}
