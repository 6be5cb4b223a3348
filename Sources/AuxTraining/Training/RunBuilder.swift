import AuxData
import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import Foundation

/// Builds a network for a run from the model config, the tasks and the input shape `[C, H, W]`.
public typealias NetworkFactory = @Sendable (
  _ model: TrainConfig.ModelConfig, _ tasks: [TaskObjective], _ inputShape: [Int], _ multiInput: Bool,
  _ rng: inout RandomGenerator
) throws -> any MultiTaskNetwork

/// Turns a ``TrainConfig`` into a ready ``Trainer``: data, tasks, network, method, optimiser,
/// schedule and run folder.
public enum RunBuilder {
  /// The method name that trains a single-task baseline: only the primary task(s), equal weights.
  public static let singleTask = RunRecord.singleTaskMethod

  /// The objectives a config selects from a dataset's tasks.
  ///
  /// - Throws: ``TrainingError`` naming unknown task names and listing the dataset's tasks.
  public static func objectives(_ config: TrainConfig, available: [TaskLabelSpec]) throws -> [TaskObjective] {
    let names = available.map(\.name)
    func check(_ list: [String], _ key: String) throws {
      for n in list where !names.contains(n) {
        throw TrainingError("\(key): unknown task '\(n)'; the dataset '\(config.dataset.name)' has tasks \(names.joined(separator: ", "))")
      }
    }
    let allPrimary = config.tasks.primary == ["all"]
    let primary = allPrimary ? names : config.tasks.primary
    guard !primary.isEmpty else { throw TrainingError("tasks.primary: name at least one task (or 'all')") }
    try check(primary, "tasks.primary")
    var auxiliary = config.tasks.auxiliary ?? names.filter { !primary.contains($0) }
    try check(auxiliary, "tasks.auxiliary")
    if let overlap = auxiliary.first(where: { primary.contains($0) }) {
      throw TrainingError("tasks: '\(overlap)' is listed as both primary and auxiliary")
    }
    if config.method.name == singleTask { auxiliary = [] }
    for key in config.tasks.mainMetric.keys where !names.contains(key) {
      throw TrainingError("tasks.main_metric: unknown task '\(key)'; the dataset has tasks \(names.joined(separator: ", "))")
    }
    let trained = primary + auxiliary
    for (key, list) in [("tasks.noise", config.tasks.labelNoise.keys.sorted()), ("model.frozen_heads", config.model.frozen)] {
      for n in list where !trained.contains(n) {
        throw TrainingError(
          names.contains(n)
            ? "\(key): task '\(n)' is not trained in this run (its tasks: \(trained.joined(separator: ", ")))"
            : "\(key): unknown task '\(n)'; the dataset '\(config.dataset.name)' has tasks \(names.joined(separator: ", "))")
      }
    }
    return try available.compactMap { spec in
      let role: TaskRole
      if primary.contains(spec.name) {
        role = .primary
      } else if auxiliary.contains(spec.name) {
        role = .auxiliary
      } else {
        return nil
      }
      return try TaskObjective(spec: spec, role: role, mainMetric: config.tasks.mainMetric[spec.name])
    }
  }

  /// The folder where teachers' pseudo labels are cached: `<output>/pseudo-labels`, shared by
  /// every experiment under the same output root.
  public static func pseudoLabelCache(_ config: TrainConfig) -> URL {
    URL(fileURLWithPath: config.output).appendingPathComponent("pseudo-labels")
  }

  /// The run's folder name: `<method>-<primary tasks>-s<seed>`.
  public static func runID(_ config: TrainConfig) -> String {
    let primary = config.tasks.primary.joined(separator: "+")
    return "\(config.method.name)-\(primary)-s\(config.seed)"
  }

  /// Builds a trainer for `config`.
  ///
  /// - Parameters:
  ///   - runID: the run's folder name (default ``runID(_:)``).
  ///   - resolvedConfigText: the resolved config as YAML, saved as `config.yaml` when the run starts.
  ///   - networks: how to build the network (``NetworkRegistry/factory`` for registered ones).
  ///   - registries: where datasets, optimisers and schedules are looked up by name.
  public static func makeTrainer(
    _ config: TrainConfig, runID: String? = nil, resolvedConfigText: String? = nil, networks: NetworkFactory,
    registries: RunRegistries = .standard, environment: [String: String] = [:]
  ) throws -> Trainer {
    guard config.training.epochs >= 1 else { throw TrainingError("training.epochs must be at least 1, got \(config.training.epochs)") }
    guard config.training.batchSize >= 1 else { throw TrainingError("training.batch_size must be at least 1, got \(config.training.batchSize)") }
    var data = try TrainingData.load(config.dataset, seed: config.seed, datasets: registries.datasets)
    let pseudo = try data.withPseudoLabels(
      config.tasks.pseudoTasks, dataset: config.dataset, seed: config.seed, cacheDirectory: pseudoLabelCache(config),
      networks: networks, datasets: registries.datasets, batchSize: config.training.batchSize)
    data = pseudo.data
    let objectives = try objectives(config, available: data.tasks)
    data = try data.withLabelNoise(config.tasks.labelNoise, seed: config.seed)
    data = try data.withScarcePrimaryLabels(
      fraction: config.tasks.primaryLabelFraction, tasks: objectives.filter { $0.role == .primary }.map(\.name),
      trainsAuxiliaries: objectives.contains { $0.role == .auxiliary }, seed: config.seed)
    guard let shape = data.train.datasets.first?.imageShape else { throw TrainingError("dataset '\(config.dataset.name)' is empty") }

    var rng = RandomGenerator(seed: config.seed)
    let network = try networks(config.model, objectives, shape, data.isMultiInput, &rng)
    if let path = config.model.initialWeights { try loadInitialWeights(path, into: network) }
    let frozen = try freezeHeads(config.model.frozen, of: network, objectives: objectives)
    let auxiliaryModule = try makeAuxiliaryModule(config.model, network: network, objectives: objectives, multiInput: data.isMultiInput, rng: &rng)
    try checkSingleSampleBatches(config, data: data, network: network, objectives: objectives)

    let weighting = config.method.name == singleTask ? "ew" : config.method.name
    let method = try MethodRegistry.make(weighting, tasks: objectives.map(\.info), options: config.method.options, seed: config.seed)

    let lr = Float(config.optimizer.learningRate)
    var groups = [
      ParameterGroup(
        name: "network", parameters: network.namedParameters.filter { !frozen.contains(ObjectIdentifier($0.parameter)) },
        learningRate: lr, weightDecay: Float(config.optimizer.weightDecay))
    ]
    if !method.parameters.isEmpty {
      // The method's own weights train with the network's rate (or their own) and, unless
      // `method.weight_decay` says otherwise, no decay: decay on log σ would bias σ towards 1.
      groups.append(ParameterGroup(
        name: "method", parameters: method.parameters.map { (name: "method.\($0.name)", parameter: $0.parameter) },
        learningRate: Float(config.method.learningRate ?? config.optimizer.learningRate),
        weightDecay: Float(config.method.weightDecay ?? 0)))
    }
    if let aux = auxiliaryModule {
      groups.append(ParameterGroup(
        name: "auxiliary_module", parameters: aux.namedParameters().map { (name: "auxiliary_module.\($0.0)", parameter: $0.1) },
        learningRate: lr, weightDecay: Float(config.optimizer.weightDecay)))
    }
    guard let optimizerEntry = registries.optimizers.entry(named: config.optimizer.name) else {
      throw TrainingError(registries.optimizers.unknownName(config.optimizer.name))
    }
    let optimizer = try optimizerEntry.make(groups, config.optimizer)
    let schedule = try makeSchedule(config, schedules: registries.schedules)
    let scheduler = LearningRateScheduler(schedule, optimizer: optimizer)

    let id = runID ?? self.runID(config)
    let folder = RunFolder(URL(fileURLWithPath: config.output).appendingPathComponent(config.experiment).appendingPathComponent(id))
    var env = environment
    env["blas_core"] = env["blas_core"] ?? BLAS.coreName
    env["blas_threads"] = env["blas_threads"] ?? String(BLAS.threadCount)
    env["cpu_count"] = env["cpu_count"] ?? String(ProcessInfo.processInfo.activeProcessorCount)
    if let aux = auxiliaryModule {
      let count = aux.parameters().reduce(0) { $0 + $1.value.count }
      env["auxiliary_module"] = "\(AuxiliaryModule.descriptor.name): stages \(aux.stageChannels), width \(aux.width), weight \(config.model.auxModuleLossWeight), \(count) parameters, training only"
    }
    for p in pseudo.provenance {
      env["pseudo_labels.\(p.task)"] = "\(p.source); " + p.splits.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
    var record = RunRecord(
      id: id, experiment: config.experiment, method: config.method.name, methodOptions: method.resolvedOptions,
      tasks: objectives.map(\.name), primaryTasks: objectives.filter { $0.role == .primary }.map(\.name), seed: config.seed,
      dataset: config.dataset.name, model: "\(config.model.encoder)+\(config.model.head)", epochsPlanned: config.training.epochs,
      mainMetrics: Dictionary(uniqueKeysWithValues: objectives.map { ($0.name, $0.mainMetric) }), environment: env)
    record.configuration = config
    return try Trainer(
      config: config, folder: folder, record: record, objectives: objectives, network: network, method: method,
      optimizer: optimizer, scheduler: scheduler, data: data, auxiliaryModule: auxiliaryModule, configText: resolvedConfigText)
  }

  /// Builds a trainer for `config` whose network, too, comes from `registries`
  /// (``NetworkRegistry/factory``).
  public static func makeTrainer(
    _ config: TrainConfig, runID: String? = nil, resolvedConfigText: String? = nil, registries: RunRegistries,
    environment: [String: String] = [:]
  ) throws -> Trainer {
    try makeTrainer(
      config, runID: runID, resolvedConfigText: resolvedConfigText, networks: registries.networks.factory, registries: registries,
      environment: environment)
  }

  /// Seed 004's training-only auxiliary module for `model.aux_module` (nil when off): one column
  /// per task over the network's stages, each ending in a head of its task's kind.
  ///
  /// - Throws: ``TrainingError`` for multi-input data or a network that does not expose its
  ///   stages.
  static func makeAuxiliaryModule(
    _ model: TrainConfig.ModelConfig, network: any MultiTaskNetwork, objectives: [TaskObjective], multiInput: Bool,
    rng: inout RandomGenerator
  ) throws -> AuxiliaryModule? {
    guard model.auxModuleEnabled else { return nil }
    guard !multiInput else {
      throw TrainingError("model.aux_module: the auxiliary module reads one batch's shared stages for every task; this dataset gives one batch per task")
    }
    guard let channels = network.stageChannels else {
      throw TrainingError("model.aux_module: the network (model.encoder \(model.encoder)) does not expose its stages")
    }
    let w = model.auxModuleChannels
    var heads: [(String, any TaskHead)] = []
    for o in objectives {
      heads.append((o.name, o.isDense ? ConvHead(w, o.outputChannels, hiddenChannels: w, rng: &rng) : ClassificationHead(w, classes: o.outputChannels, rng: &rng)))
    }
    return AuxiliaryModule(stageChannels: channels, width: w, heads: heads, rng: &rng)
  }

  /// Throws when a training batch of one sample would reach a batch normalisation over a 1×1
  /// map. In training mode batch normalisation averages each channel over N·H·W values, and one
  /// value has no variance (PyTorch stops with "Expected more than 1 value per channel when
  /// training"; the engine's check stops the program). A batch of one comes from
  /// `training.batch_size` 1 or from an epoch's last batch when a training set holds
  /// k·batch_size + 1 samples (the look-ahead stream cycles through it too, so
  /// `training.max_steps_per_epoch` does not avoid it); a 1×1 map from a DeepLab head's
  /// image-pooling branch, or from an encoder whose stride covers the whole image. The encoder's
  /// map is measured with one forward pass in evaluation mode, only when a batch of one occurs.
  static func checkSingleSampleBatches(
    _ config: TrainConfig, data: TrainingData, network: any MultiTaskNetwork, objectives: [TaskObjective]
  ) throws {
    let b = config.training.batchSize
    guard let dataset = data.train.datasets.first(where: { $0.count > 0 && (b == 1 || $0.count % b == 1) }) else { return }
    var reason: String? = nil
    if let model = network as? MultiTaskModel, let t = model.heads.firstIndex(where: { $0 is DeepLabHead }) {
      reason = "the DeepLab head of task '\(model.taskNames[t])' (model.head aspp) normalises its image-pooling branch, a 1×1 map"
    } else {
      let wasTraining = network.module.isTraining
      network.module.eval()
      let features = Autograd.withoutGradients { network.encode(Tensor.zeros([1] + dataset.imageShape), task: data.isMultiInput ? 0 : nil) }
      network.module.train(wasTraining)
      if features.rank == 4 && features.shape[2] * features.shape[3] == 1 {
        reason = "model.encoder \(config.model.encoder) turns the \(dataset.imageShape[1])×\(dataset.imageShape[2]) images into 1×1 feature maps"
      }
    }
    guard let reason else { return }
    let batch =
      b == 1
      ? "training.batch_size is 1"
      : "the last batch of an epoch holds 1 sample ('\(dataset.name)' has \(dataset.count) training samples = \(dataset.count / b) × batch size \(b) + 1)"
    throw TrainingError(
      "training.batch_size: batch normalisation in training mode needs more than one value per channel, but \(batch) and \(reason); choose a batch size of at least 2 that does not leave one sample over, or change dataset.train_samples")
  }

  /// Replaces the model's weights by those of a safetensors state dict where names and shapes
  /// match (`model.initial_weights`).
  ///
  /// - Throws: ``TrainingError`` when no entry matches the model, or ``AuxNN/StateDictError``
  ///   listing entries whose shapes differ.
  static func loadInitialWeights(_ path: String, into network: any MultiTaskNetwork) throws {
    let archive = try Safetensors.read(URL(fileURLWithPath: path))
    let model = network.module.stateDict()
    let matching = archive.tensors.filter { model[$0.key] != nil }
    guard !matching.isEmpty else {
      throw TrainingError("model.initial_weights: \(path) has no entry named like the model's (e.g. \(model.keys.sorted().prefix(3).joined(separator: ", ")))")
    }
    try network.module.loadStateDict(matching, strict: false, source: path)
  }

  /// Freezes the heads of the tasks named in `model.frozen_heads`: their parameters stop taking
  /// gradients and leave the optimiser (they keep their initial or loaded weights), while the
  /// gradient of their losses still flows into the encoder. Batch-norm statistics of a frozen head
  /// still update in training mode, as in the authors' code (`is_fix_head` only removes the heads
  /// from the optimiser). Returns the frozen parameters.
  static func freezeHeads(_ names: [String], of network: any MultiTaskNetwork, objectives: [TaskObjective]) throws -> Set<ObjectIdentifier> {
    var frozen = Set<ObjectIdentifier>()
    for name in names {
      guard let t = objectives.firstIndex(where: { $0.name == name }) else {
        throw TrainingError("model.frozen_heads: task '\(name)' is not trained in this run (its tasks: \(objectives.map(\.name).joined(separator: ", ")))")
      }
      for p in network.headParameters(t) {
        p.requiresGrad = false
        frozen.insert(ObjectIdentifier(p))
      }
    }
    return frozen
  }

  /// The learning-rate schedule a config asks for (stepped once per epoch), with
  /// `schedule.warmup_epochs` of linear warm-up in front.
  ///
  /// - Throws: ``TrainingError`` for a name `schedules` does not hold (listing the ones it does).
  public static func makeSchedule(_ config: TrainConfig, schedules: ScheduleRegistry = .standard) throws -> any LearningRateSchedule {
    let s = config.schedule
    guard let entry = schedules.entry(named: s.name) else { throw TrainingError(schedules.unknownName(s.name)) }
    let base = try entry.make(s, config.training.epochs)
    guard s.warmupEpochs > 0 else { return base }
    return LinearWarmupSchedule(epochs: s.warmupEpochs, startFactor: 1.0 / Double(s.warmupEpochs + 1), then: base)
  }
}
