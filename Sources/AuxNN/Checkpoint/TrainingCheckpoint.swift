import AuxEngine
import AuxIO
import Foundation

/// Everything needed to resume a training run exactly, stored in one safetensors file.
///
/// Contents: the model's state dict (PyTorch names and dtypes), the optimiser's state, the
/// learning-rate schedule's position, named random generators (data order, augmentation, a
/// method's sampling…), the generators of the model's ``Dropout`` layers, the step and epoch
/// counters, and named extra states (a weighting method's ``stateDict``, say).
///
/// File layout (one safetensors file, written atomically):
/// - tensors `model.<name>` (the state dict; `num_batches_tracked` as `I64`), `optimizer.<key>`,
///   `state.<component>.<key>`;
/// - `__metadata__`: `auxmtl.checkpoint` (format version), `auxmtl.step`, `auxmtl.epoch`,
///   `auxmtl.schedule` (JSON of ``LearningRateScheduler/State``), `auxmtl.rng.<name>` and
///   `auxmtl.module_rng.<module path>` (a generator's five state words in hexadecimal),
///   `auxmtl.components` (the component names), `user.<key>` (free metadata).
///
/// The model's state loads in PyTorch after stripping the prefix:
/// `{k[6:]: v for k, v in load_file(path).items() if k.startswith("model.")}`.
///
/// ```swift
/// try TrainingCheckpoint(model: model, optimizer: adam, scheduler: scheduler,
///                        generators: ["data": dataRNG], step: step, epoch: epoch,
///                        components: ["method": method.stateDict()]).write(to: url)
/// // later, with freshly built objects:
/// let checkpoint = try TrainingCheckpoint.read(from: url)
/// try checkpoint.restore(model: model, optimizer: adam, scheduler: scheduler)
/// try method.loadStateDict(checkpoint.components["method"] ?? [:])
/// dataRNG = try checkpoint.generator("data")
/// ```
public struct TrainingCheckpoint {
  /// The format version written to and required in `auxmtl.checkpoint`.
  public static let formatVersion = "1"

  /// The model's state dict.
  public var model: [String: Tensor]
  /// The dtype of each model entry in the file.
  public var modelDTypes: [String: SafetensorsDType]
  /// The optimiser's ``Optimizer/stateDict()``.
  public var optimizer: [String: Tensor]
  /// The schedule's position, if a scheduler was saved.
  public var schedule: LearningRateScheduler.State?
  /// Named random generators.
  public var generators: [String: RandomGenerator]
  /// The generators of the model's dropout layers, by module path.
  public var moduleGenerators: [String: RandomGenerator]
  /// Completed optimisation steps.
  public var step: Int
  /// The epoch to resume in (as the training loop counts it).
  public var epoch: Int
  /// Named extra states (component names: non-empty, no dots).
  public var components: [String: [String: Tensor]]
  /// Free string metadata.
  public var metadata: [String: String]
  /// The file this checkpoint was read from, for error messages.
  public var source: String?

  /// Captures the current state of a run.
  public init(
    model: Module, optimizer: (any Optimizer)? = nil, scheduler: LearningRateScheduler? = nil,
    generators: [String: RandomGenerator] = [:], step: Int, epoch: Int, components: [String: [String: Tensor]] = [:],
    metadata: [String: String] = [:]
  ) {
    precondition(step >= 0 && epoch >= 0, "TrainingCheckpoint: step (\(step)) and epoch (\(epoch)) must be ≥ 0")
    for name in components.keys {
      precondition(!name.isEmpty && !name.contains("."), "TrainingCheckpoint: component name '\(name)' must be non-empty without dots")
    }
    let archive = model.stateArchive()
    self.model = archive.tensors
    self.modelDTypes = archive.dtypes
    self.optimizer = optimizer?.stateDict() ?? [:]
    self.schedule = scheduler?.state
    self.generators = generators
    self.moduleGenerators = Self.dropoutGenerators(of: model)
    self.step = step
    self.epoch = epoch
    self.components = components
    self.metadata = metadata
    self.source = nil
  }

  static func dropoutGenerators(of model: Module) -> [String: RandomGenerator] {
    var out: [String: RandomGenerator] = [:]
    for (path, m) in model.namedModules() {
      if let d = m as? Dropout { out[path] = d.rng }
    }
    return out
  }

  /// The generator saved under `name`.
  ///
  /// - Throws: `FormatError` naming the file and the generators it has.
  public func generator(_ name: String) throws -> RandomGenerator {
    guard let g = generators[name] else {
      throw FormatError(
        file: source ?? "checkpoint", "no random generator named '\(name)' (it has: \(generators.keys.sorted().joined(separator: ", ")))")
    }
    return g
  }

  // MARK: Restoring

  /// Loads the model, optimiser, schedule and dropout generators, all or nothing.
  ///
  /// - Throws: ``StateDictError`` listing every missing, unexpected and mis-shaped model entry;
  ///   ``OptimizerStateError`` for optimiser or schedule state that does not fit; `FormatError`
  ///   when the dropout layers do not match the saved generators. Nothing is changed on error.
  public func restore(model: Module, optimizer: (any Optimizer)? = nil, scheduler: LearningRateScheduler? = nil) throws {
    let file = source ?? "checkpoint"
    // Validate what can be validated without side effects first.
    let dropouts = model.namedModules().compactMap { p, m in (m as? Dropout).map { (p, $0) } }
    let missingRNG = dropouts.map(\.0).filter { moduleGenerators[$0] == nil }
    let extraRNG = Set(moduleGenerators.keys).subtracting(dropouts.map(\.0)).sorted()
    if !missingRNG.isEmpty || !extraRNG.isEmpty {
      throw FormatError(
        file: file,
        "dropout generators do not match the model: missing \(missingRNG.isEmpty ? "none" : missingRNG.joined(separator: ", ")); unexpected \(extraRNG.isEmpty ? "none" : extraRNG.joined(separator: ", "))")
    }
    if scheduler != nil && schedule == nil {
      throw OptimizerStateError("checkpoint \(file) has no learning-rate schedule position, but a scheduler was given")
    }
    if optimizer == nil && !self.optimizer.isEmpty {
      // Not an error: a model-only restore (evaluation) may ignore the optimiser.
    }

    let savedModel = model.stateDict()
    let savedOptimizer = optimizer?.stateDict()
    let savedSchedule = scheduler?.state
    do {
      try model.loadStateDict(self.model, strict: true, source: file + " (entries under 'model.')")
      if let optimizer { try optimizer.loadStateDict(self.optimizer) }
      if let scheduler, let schedule { try scheduler.restore(schedule) }
    } catch {
      try? model.loadStateDict(savedModel)
      if let optimizer, let savedOptimizer { try? optimizer.loadStateDict(savedOptimizer) }
      if let scheduler, let savedSchedule { try? scheduler.restore(savedSchedule) }
      throw error
    }
    for (path, d) in dropouts { d.rng = moduleGenerators[path]! }
  }

  // MARK: Files

  static let modelPrefix = "model."
  static let optimizerPrefix = "optimizer."
  static let statePrefix = "state."
  static let userPrefix = "user."

  /// The checkpoint as a safetensors archive (see the type's documentation for the layout).
  public var archive: SafetensorsArchive {
    var a = SafetensorsArchive(metadata: ["format": "pt"])
    for (k, t) in model {
      a.tensors[Self.modelPrefix + k] = t
      a.dtypes[Self.modelPrefix + k] = modelDTypes[k] ?? .f32
    }
    for (k, t) in optimizer { a.tensors[Self.optimizerPrefix + k] = t }
    for (c, state) in components {
      for (k, t) in state { a.tensors[Self.statePrefix + c + "." + k] = t }
    }
    a.metadata["auxmtl.checkpoint"] = Self.formatVersion
    a.metadata["auxmtl.step"] = String(step)
    a.metadata["auxmtl.epoch"] = String(epoch)
    a.metadata["auxmtl.components"] = components.keys.sorted().joined(separator: ",")
    if let schedule, let json = try? JSONEncoder().encode(schedule) {
      a.metadata["auxmtl.schedule"] = String(decoding: json, as: UTF8.self)
    }
    for (n, g) in generators { a.metadata["auxmtl.rng." + n] = Self.encode(g) }
    for (p, g) in moduleGenerators { a.metadata["auxmtl.module_rng." + p] = Self.encode(g) }
    for (k, v) in metadata { a.metadata[Self.userPrefix + k] = v }
    return a
  }

  /// Writes the checkpoint atomically (a temporary file renamed over `url`).
  public func write(to url: URL) throws {
    try Safetensors.write(archive, to: url)
  }

  /// Reads a checkpoint written by ``write(to:)``.
  ///
  /// - Throws: `FormatError` naming the file and what is missing or malformed.
  public static func read(from url: URL) throws -> TrainingCheckpoint {
    try TrainingCheckpoint(archive: try Safetensors.read(url), file: url.path)
  }

  /// Parses an archive made by ``archive``; `file` names it in error messages.
  public init(archive a: SafetensorsArchive, file: String) throws {
    func meta(_ key: String) throws -> String {
      guard let v = a.metadata[key] else {
        throw FormatError(file: file, "not an auxmtl training checkpoint: metadata '\(key)' is missing")
      }
      return v
    }
    let version = try meta("auxmtl.checkpoint")
    guard version == Self.formatVersion else {
      throw FormatError(file: file, "checkpoint format version '\(version)' is not supported (expected \(Self.formatVersion))")
    }
    func counter(_ key: String) throws -> Int {
      let s = try meta(key)
      guard let v = Int(s), v >= 0 else { throw FormatError(file: file, "metadata '\(key)' must be a whole number ≥ 0, found '\(s)'") }
      return v
    }
    step = try counter("auxmtl.step")
    epoch = try counter("auxmtl.epoch")
    let componentNames = try meta("auxmtl.components").split(separator: ",").map(String.init)
    components = Dictionary(uniqueKeysWithValues: componentNames.map { ($0, [String: Tensor]()) })
    model = [:]
    modelDTypes = [:]
    optimizer = [:]
    var stray: [String] = []
    for (name, t) in a.tensors {
      if name.hasPrefix(Self.modelPrefix) {
        let k = String(name.dropFirst(Self.modelPrefix.count))
        model[k] = t
        modelDTypes[k] = a.dtypes[name]
      } else if name.hasPrefix(Self.optimizerPrefix) {
        optimizer[String(name.dropFirst(Self.optimizerPrefix.count))] = t
      } else if name.hasPrefix(Self.statePrefix) {
        let rest = name.dropFirst(Self.statePrefix.count)
        guard let dot = rest.firstIndex(of: "."), components[String(rest[..<dot])] != nil else {
          stray.append(name)
          continue
        }
        components[String(rest[..<dot])]![String(rest[rest.index(after: dot)...])] = t
      } else {
        stray.append(name)
      }
    }
    if !stray.isEmpty {
      throw FormatError(file: file, "tensors outside the checkpoint's sections (model., optimizer., state.<component>.): \(stray.sorted().joined(separator: ", "))")
    }
    if let s = a.metadata["auxmtl.schedule"] {
      do {
        schedule = try JSONDecoder().decode(LearningRateScheduler.State.self, from: Data(s.utf8))
      } catch {
        throw FormatError(file: file, "metadata 'auxmtl.schedule' is not a schedule state: \(s)")
      }
    } else {
      schedule = nil
    }
    generators = [:]
    moduleGenerators = [:]
    metadata = [:]
    for (k, v) in a.metadata {
      if k.hasPrefix("auxmtl.rng.") {
        generators[String(k.dropFirst("auxmtl.rng.".count))] = try Self.decode(v, key: k, file: file)
      } else if k.hasPrefix("auxmtl.module_rng.") {
        moduleGenerators[String(k.dropFirst("auxmtl.module_rng.".count))] = try Self.decode(v, key: k, file: file)
      } else if k.hasPrefix(Self.userPrefix) {
        metadata[String(k.dropFirst(Self.userPrefix.count))] = v
      }
    }
    source = file
  }

  static func encode(_ g: RandomGenerator) -> String {
    g.serialized.map { String($0, radix: 16) }.joined(separator: ",")
  }

  static func decode(_ s: String, key: String, file: String) throws -> RandomGenerator {
    let words = s.split(separator: ",").compactMap { UInt64($0, radix: 16) }
    guard words.count == 5, s.split(separator: ",").count == 5 else {
      throw FormatError(file: file, "metadata '\(key)' must hold five hexadecimal generator words, found '\(s)'")
    }
    return RandomGenerator(serialized: words)
  }
}
