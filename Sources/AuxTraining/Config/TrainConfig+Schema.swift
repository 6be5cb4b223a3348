import AuxMTL

extension TrainConfig {
  /// The datasets `dataset.name` accepts (``AuxData/DatasetRegistry/standard``).
  public static var datasetNames: [String] { RunRegistries.standard.datasets.names }
  /// The encoders `model.encoder` accepts (``NetworkRegistry/standard``).
  public static var encoderNames: [String] { RunRegistries.standard.networks.encoders.names }
  /// The dense heads `model.head` accepts (``NetworkRegistry/standard``).
  public static var headNames: [String] { RunRegistries.standard.networks.heads.names }
  /// The optimisers `optimizer.name` accepts (``OptimizerRegistry/standard``).
  public static var optimizerNames: [String] { RunRegistries.standard.optimizers.names }
  /// The learning-rate schedules `schedule.name` accepts (``ScheduleRegistry/standard``).
  public static var scheduleNames: [String] { RunRegistries.standard.schedules.names }
  /// The value of `tasks.primary` that makes every task primary (the multi-task setting).
  public static let allTasks = "all"

  /// The names `method.name` accepts: every ``AuxMTL/MethodRegistry`` method, then
  /// `single-task` (``RunRecord/singleTaskMethod``: one task, no weighting, the Δm baseline).
  public static var methodNames: [String] { MethodRegistry.all.map(\.name) + [RunRecord.singleTaskMethod] }

  /// The sections of the file, in the order they are written.
  static let sectionNames = ["dataset", "tasks", "method", "model", "optimizer", "schedule", "training"]

  /// Every key of the configuration file, in the order ``yaml()`` writes them, with the standard
  /// registries' names allowed.
  static var schema: [ConfigField] { schema(.standard) }

  /// Every key of the configuration file, in the order ``yaml()`` writes them; the names a key
  /// such as `dataset.name` allows are those of `registries`. Keys are the snake_case forms of the
  /// Swift property names (`trainSamples` → `train_samples`).
  static func schema(_ registries: RunRegistries) -> [ConfigField] {
    [
      .text("experiment", \.experiment) { node, value in
        if value.contains("/") || value == "." || value == ".." {
          throw node.error("must be a folder name (no '/', not '.' or '..'); found '\(value)'")
        }
      },
      .text("output", \.output),
      .unsigned("seed", \.seed),

      .choice("dataset.name", \.dataset.name, registries.datasets.names),
      .optionalText("dataset.path", \.dataset.path),
      .integer("dataset.size", \.dataset.size, .within(32...256)),
      .integer("dataset.train_samples", \.dataset.trainSamples, .atLeast(0)),
      .integer("dataset.validation_samples", \.dataset.validationSamples, .atLeast(0)),
      .integer("dataset.test_samples", \.dataset.testSamples, .atLeast(0)),
      .boolean("dataset.augment", \.dataset.augment),
      .optionalText("dataset.cache", \.dataset.cache),

      .textList("tasks.primary", \.tasks.primary),
      .optionalTextList("tasks.auxiliary", \.tasks.auxiliary),
      .textMap("tasks.main_metric", \.tasks.mainMetric),
      .textMap("tasks.noise", \.tasks.labelNoise),
      .optionalNumber("tasks.primary_label_fraction", \.tasks.primaryLabelFraction, .unitOpenClosed),
      .pseudoTasks("tasks.pseudo", \.tasks.pseudoTasks),

      .choice("method.name", \.method.name, methodNames),
      .textMap("method.options", \.method.options),
      .optionalNumber("method.learning_rate", \.method.learningRate, .positive),
      .optionalNumber("method.weight_decay", \.method.weightDecay, .nonNegative),

      .choice("model.encoder", \.model.encoder, registries.networks.encoders.names),
      .choice("model.head", \.model.head, registries.networks.heads.names),
      .integer("model.output_stride", \.model.outputStride, .oneOf([8, 16, 32])),
      .optionalText("model.pretrained", \.model.pretrained),
      .optionalText("model.initial_weights", \.model.initialWeights),
      .textList("model.frozen_heads", \.model.frozen),
      .boolean("model.aux_module", \.model.auxModuleEnabled),
      .integer("model.aux_module_width", \.model.auxModuleChannels, .atLeast(1)),
      .number("model.aux_module_weight", \.model.auxModuleLossWeight, .positive),

      .choice("optimizer.name", \.optimizer.name, registries.optimizers.names),
      .number("optimizer.learning_rate", \.optimizer.learningRate, .positive),
      .number("optimizer.weight_decay", \.optimizer.weightDecay, .nonNegative),
      .number("optimizer.momentum", \.optimizer.momentum, .unitHalfOpen),
      .number("optimizer.clip_norm", \.optimizer.clipNorm, .nonNegative),

      .choice("schedule.name", \.schedule.name, registries.schedules.names),
      .integer("schedule.step_size", \.schedule.stepSize, .atLeast(1)),
      .number("schedule.gamma", \.schedule.gamma, .unitOpenClosed),
      .number("schedule.min_learning_rate", \.schedule.minLearningRate, .nonNegative),
      .number("schedule.power", \.schedule.power, .positive),
      .integer("schedule.warmup_epochs", \.schedule.warmupEpochs, .atLeast(0)),

      .integer("training.epochs", \.training.epochs, .atLeast(1)),
      .integer("training.batch_size", \.training.batchSize, .atLeast(1)),
      .integer("training.eval_every", \.training.evalEvery, .atLeast(1)),
      .integer("training.early_stopping_patience", \.training.earlyStoppingPatience, .atLeast(0)),
      .integer("training.log_every", \.training.logEvery, .atLeast(1)),
      .integer("training.threads", \.training.threads, .atLeast(0)),
      .integer("training.prefetch", \.training.prefetch, .atLeast(0)),
      .integer("training.max_steps_per_epoch", \.training.maxStepsPerEpoch, .atLeast(0)),
    ]
  }

  /// The keys allowed directly under `section` (`""`: the top level), in schema order.
  static func allowedKeys(in section: String, schema: [ConfigField]) -> [String] {
    var keys = schema.filter { $0.section == section }.map(\.name)
    if section.isEmpty { keys += sectionNames }
    return keys
  }
}
