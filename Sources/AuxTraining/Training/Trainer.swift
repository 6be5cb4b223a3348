import AuxData
import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import Foundation

/// One training run: the loop, evaluation, model selection, logging and checkpoints.
///
/// Each step, for every method alike, is one ``AuxMTL/StepDriver`` step: the trainer hands it the
/// batch (encode, then each head on its feature alias and the task losses) and the driver runs
/// the method's backward with exactly what the method declares, clips (optional), steps the
/// optimiser and calls `afterOptimizerStep`. The loop never asks which method it runs.
///
/// After every epoch the run is evaluated on the validation split (when there is one), the best
/// epoch by the first primary task's main metric is kept (`best.safetensors`), and the full
/// training state is checkpointed atomically (`checkpoint.safetensors`), so an interrupted run
/// resumes from its last finished epoch and ends exactly as an uninterrupted one. At the end, the
/// selected weights are evaluated on the test split and the run record is finalised.
///
/// A NaN or infinite loss or gradient stops the run at once with a ``TrainingError`` naming the
/// task (or parameter), the step and the epoch (``AuxMTL/NonFiniteValueError``); the update is
/// not applied, `run.json` says `failed` with that reason, and the last checkpoint is left as it
/// was, so the run resumes from its last finished epoch.
public final class Trainer {
  public let config: TrainConfig
  public let folder: RunFolder
  public let objectives: [TaskObjective]
  public let network: any MultiTaskNetwork
  public let method: any WeightingMethod
  public let optimizer: any Optimizer
  public let scheduler: LearningRateScheduler
  public let data: TrainingData
  public private(set) var record: RunRecord
  /// Runs each training step (the method, clipping, the optimiser).
  public let driver: StepDriver
  /// Seed 004's training-only auxiliary module (`model.aux_module`), or nil. It is not part of
  /// ``network``: evaluation never runs it and `best.safetensors` does not hold it (checkpoints
  /// do, to resume).
  public let auxiliaryModule: AuxiliaryModule?
  /// The resolved configuration as YAML, written to the folder's `config.yaml` when the run
  /// starts (after a resume's configuration check, so a refused resume changes nothing).
  public let configText: String?

  // Loop state (saved in checkpoints).
  private var epochsDone = 0
  private var iteration = 0
  private var bestValue: Double?
  private var bestEpoch: Int?
  private var evaluationsWithoutImprovement = 0
  private var stoppedEarly = false
  /// Steps whose method's solver did not converge or fell back (logged and recorded).
  private var solverCounts = SolverCounts()
  /// Batches skipped because a primary task had no label in them (label-scarce data).
  private var skippedSteps = 0

  private let tasks: [TaskInfo]
  private let taskIndexByName: [String: Int]
  private let primaryIndex: Int
  private var tensorBoard: TensorBoardWriter?

  /// Assembles a run from its parts (see ``RunBuilder`` for building them from a config).
  public init(
    config: TrainConfig, folder: RunFolder, record: RunRecord, objectives: [TaskObjective], network: any MultiTaskNetwork,
    method: any WeightingMethod, optimizer: any Optimizer, scheduler: LearningRateScheduler, data: TrainingData,
    auxiliaryModule: AuxiliaryModule? = nil, configText: String? = nil
  ) throws {
    self.auxiliaryModule = auxiliaryModule
    self.configText = configText
    self.config = config
    self.folder = folder
    self.record = record
    self.objectives = objectives
    self.network = network
    self.method = method
    self.optimizer = optimizer
    self.scheduler = scheduler
    self.data = data
    tasks = objectives.map(\.info)
    taskIndexByName = Dictionary(uniqueKeysWithValues: objectives.enumerated().map { ($0.element.name, $0.offset) })
    guard let p = objectives.firstIndex(where: { $0.role == .primary }) else {
      throw TrainingError("no primary task among \(objectives.map(\.name).joined(separator: ", "))")
    }
    primaryIndex = p
    driver = try StepDriver(
      tasks: tasks,
      model: ModelSplit(
        sharedParameters: network.encoderParameters, taskParameters: objectives.indices.map { network.headParameters($0) },
        trainingOnlyParameters: auxiliaryModule?.parameters() ?? []),
      method: method, optimizer: optimizer, clipNorm: config.optimizer.clipNorm)
  }

  // MARK: Running

  /// Trains until the planned epochs are done, early stopping triggers, or `shouldStop` returns
  /// true (then the record says `interrupted` and the run stays resumable). Returns the run record.
  ///
  /// - Parameters:
  ///   - resume: continue from the folder's checkpoint (when there is one) instead of starting over.
  ///   - allowConfigChange: resume even when the configuration differs from the run's own in a
  ///     key that changes training; the record keeps the previous configuration, the changed keys
  ///     and the step of the change (``RunRecord/configChanges``).
  /// - Throws: ``ConfigChangeError`` when resuming under a changed configuration without
  ///   `allowConfigChange` (nothing in the folder is touched), ``TrainingError`` when training fails.
  @discardableResult
  public func run(
    resume: Bool, allowConfigChange: Bool = false, progress: TrainingProgress = SilentProgress(), shouldStop: () -> Bool = { false }
  ) throws -> RunRecord {
    try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
    let leftovers = AtomicFile.removeLeftovers(in: folder.url)
    if !leftovers.isEmpty {
      progress.note("removed \(leftovers.count) temporary file(s) an interrupted write left in the run folder: \(leftovers.joined(separator: ", "))")
    }
    if resume, FileManager.default.fileExists(atPath: folder.checkpointURL.path) {
      let change = try checkConfiguration(allowChange: allowConfigChange)
      try restoreCheckpoint()
      if var change {
        (change.step, change.epoch) = (iteration, epochsDone)
        record.configChanges = (record.configChanges ?? []) + [change]
        progress.note(
          change.previous == nil
            ? "resuming without comparing configurations (the run's own could not be read; recorded in run.json)"
            : "resuming under a changed configuration (recorded in run.json): " + change.changes.map(\.description).joined(separator: "; "))
      }
      let dropped = try TensorBoardWriter.truncateEventFiles(in: folder.url, keepingStepsThrough: iteration)
      progress.note("resuming after epoch \(epochsDone) of \(config.training.epochs) (step \(iteration))" + (dropped > 0 ? "; dropped \(dropped) TensorBoard event(s) logged after it" : ""))
    } else {
      for f in [folder.metricsURL, folder.stepsURL, folder.checkpointURL, bestURL] { try? FileManager.default.removeItem(at: f) }
      try removeEventFiles()
    }
    if let configText { try AtomicFile.write(Data(configText.utf8), to: folder.configURL) }
    record.status = .running
    record.error = nil
    try folder.write(record)
    for line in data.notes { progress.note(line) }
    tensorBoard = try TensorBoardWriter(directory: folder.url)
    defer { tensorBoard?.close() }

    do {
      while epochsDone < config.training.epochs && !stoppedEarly {
        let finished = try trainEpoch(epochsDone, progress: progress, shouldStop: shouldStop)
        guard finished else {
          record.status = .interrupted
          try folder.write(record)
          progress.note("interrupted during epoch \(epochsDone + 1); resume with --resume (it restarts that epoch)")
          return record
        }
      }
      try finish(progress: progress)
    } catch {
      record.status = .failed
      record.error = "\(error)"
      try? folder.write(record)
      throw error
    }
    return record
  }

  private var bestURL: URL { folder.url.appendingPathComponent("best.safetensors") }

  /// Compares the configuration with the one the run in the folder trains under (its `run.json`)
  /// before anything is restored or written. Keeps the record's history (start time, earlier
  /// changes) and returns the change to record, or nil when nothing that matters changed.
  private func checkConfiguration(allowChange: Bool) throws -> ConfigChange? {
    let previous: RunRecord
    do {
      previous = try folder.readRecord()
    } catch {
      guard allowChange else { throw ConfigChangeError(folder: folder.url.path, unreadable: "\(error)") }
      return ConfigChange(step: 0, epoch: 0, changes: [], previous: nil)
    }
    record.startedAt = previous.startedAt
    record.configChanges = previous.configChanges
    guard let saved = previous.configuration else {
      guard allowChange else { throw ConfigChangeError(folder: folder.url.path, unreadable: "\(folder.recordURL.path) holds no configuration") }
      return ConfigChange(step: 0, epoch: 0, changes: [], previous: nil)
    }
    let changes = config.trainingDifferences(from: saved)
    guard !changes.isEmpty else { return nil }
    guard allowChange else { throw ConfigChangeError(folder: folder.url.path, changes: changes) }
    return ConfigChange(step: 0, epoch: 0, changes: changes, previous: saved)
  }

  private func removeEventFiles() throws {
    let items = (try? FileManager.default.contentsOfDirectory(atPath: folder.url.path)) ?? []
    for f in items where f.contains("tfevents") { try? FileManager.default.removeItem(at: folder.url.appendingPathComponent(f)) }
  }

  /// One epoch; false when interrupted.
  private func trainEpoch(_ epoch: Int, progress: TrainingProgress, shouldStop: () -> Bool) throws -> Bool {
    network.module.train()
    auxiliaryModule?.train()
    let source = try EpochBatches(data: data, config: config, epoch: epoch, taskCount: objectives.count)
    let planned = config.training.maxStepsPerEpoch > 0 ? min(source.count, config.training.maxStepsPerEpoch) : source.count
    progress.epochStarted(epoch: epoch + 1, of: config.training.epochs, steps: planned)
    let started = Date()
    let cpuStarted = ProcessLoad.cpuSeconds()
    var lossSums = [Double](repeating: 0, count: objectives.count)
    var samples = 0
    var stepInEpoch = 0
    while stepInEpoch < planned, let batches = try source.next() {
      if shouldStop() { return false }
      if let missing = unlabelledTask(batches) {
        // Nothing to learn for the primary here, and methods that normalise by a task's loss or
        // gradient (DWA, GLS, IMTL-G, MGDA, Nash-MTL …) are undefined at zero: skip the step.
        skippedSteps += 1
        record.skippedSteps = skippedSteps
        if skippedSteps == 1 {
          progress.note("skipped a step: its batch has no label for '\(missing)' (counted as skippedSteps in run.json)")
        }
        stepInEpoch += 1
        continue
      }
      let outcome: StepOutcome
      do {
        outcome = try driver.step(stepBatch(batches, validation: source), epoch: epoch, iteration: iteration)
      } catch let e as NonFiniteValueError {
        throw TrainingError(Self.stopped(e, epochsDone: epochsDone))
      }
      let (losses, report) = (outcome.losses, outcome.report)
      if solverCounts.add(report, step: iteration + 1) && solverCounts.nonConvergedSteps + solverCounts.fallbackSteps <= 1 {
        progress.note("solver problem (first of the run; counts in steps.jsonl and run.json): \(solverCounts.lastProblem ?? "")")
      }
      for (t, l) in losses.enumerated() { lossSums[t] += Double(l) }
      samples += batches.reduce(0) { $0 + $1.count }
      stepInEpoch += 1
      iteration += 1
      if iteration % max(config.training.logEvery, 1) == 0 {
        try logStep(epoch: epoch, losses: losses, report: report)
      }
      let elapsed = Date().timeIntervalSince(started)
      progress.stepEnded(step: stepInEpoch, meanLoss: lossSums.reduce(0, +) / Double(stepInEpoch), samplesPerSecond: Double(samples) / max(elapsed, 1e-9))
    }
    let seconds = Date().timeIntervalSince(started)
    scheduler.step()
    epochsDone = epoch + 1
    record.epochsCompleted = epochsDone
    record.secondsPerEpoch.append(seconds)
    record.cpuSecondsPerEpoch = (record.cpuSecondsPerEpoch ?? []) + [ProcessLoad.cpuSeconds() - cpuStarted]
    if let load = ProcessLoad.loadAverage() { record.loadAveragePerEpoch = (record.loadAveragePerEpoch ?? []) + [load] }
    record.solver = solverCounts.solvedSteps > 0 ? solverCounts : nil

    let trainLoss = Dictionary(uniqueKeysWithValues: objectives.enumerated().map { ($0.element.name, lossSums[$0.offset] / Double(max(stepInEpoch, 1))) })
    var validationMain: [MetricRecord] = []
    var improved = false
    let last = epochsDone == config.training.epochs
    if let validation = data.validation, epochsDone % max(config.training.evalEvery, 1) == 0 || last {
      let metrics = try evaluate(validation)
      try folder.append(EvaluationRecord(epoch: epochsDone, split: "val", trainLoss: trainLoss, metrics: metrics, trainSeconds: seconds), to: folder.metricsURL)
      try logScalars(metrics.map { ("val/\($0.key)", Float($0.value)) }, step: iteration)
      validationMain = objectives.compactMap { o in metrics.first { $0.task == o.name && $0.metric == o.mainMetric } }
      improved = try updateBest(metrics)
    } else {
      try folder.append(EvaluationRecord(epoch: epochsDone, split: "train", trainLoss: trainLoss, metrics: [], trainSeconds: seconds), to: folder.metricsURL)
    }
    try logScalars(trainLoss.map { ("train_loss/\($0.key)", Float($0.value)) }.sorted { $0.0 < $1.0 }, step: iteration)
    progress.epochEnded(epoch: epochsDone, seconds: seconds, validation: validationMain, improved: improved)
    if config.training.earlyStoppingPatience > 0 && evaluationsWithoutImprovement >= config.training.earlyStoppingPatience {
      stoppedEarly = true
      progress.note("early stopping: no improvement of \(objectives[primaryIndex].name)/\(objectives[primaryIndex].mainMetric) in \(evaluationsWithoutImprovement) evaluations")
    }
    try saveCheckpoint()
    try folder.write(record)
    return true
  }

  /// Why a run stopped at a non-finite loss or gradient, and what is left to resume from.
  static func stopped(_ e: NonFiniteValueError, epochsDone: Int) -> String {
    let left = epochsDone > 0
      ? "the checkpoint after epoch \(epochsDone) is unchanged; fix the cause (e.g. a lower optimizer.learning_rate, optimizer.clip_norm, or the data) and continue with --resume"
      : "no epoch had finished, so there is no checkpoint to resume from"
    return "training stopped: \(e); the update was not applied; \(left)"
  }

  /// The step's batch (or one batch per task in multi-input training) for the driver: the
  /// encoder runs once per input batch (multi-input features are concatenated, and each head
  /// reads its task's rows of its alias).
  private func stepBatch(_ batches: [Batch], validation source: EpochBatches) -> StepBatch {
    var rows: [Range<Int>] = []
    if batches.count > 1 {
      var start = 0
      for b in batches {
        rows.append(start..<(start + b.count))
        start += b.count
      }
    }
    let evaluator = LossEvaluator(
      trainingLosses: { [unowned self] in try self.plainLosses(batches) },
      validationLosses: { [unowned self] in try self.plainLosses(try source.validationBatches()) })
    // The encoder's stage outputs of this step, for the auxiliary module.
    final class Stages { var maps: [Tensor] = [] }
    let stages = Stages()
    return StepBatch(
      encode: { [unowned self] in
        if batches.count == 1 {
          guard self.auxiliaryModule != nil else { return self.network.encode(batches[0].images, task: nil) }
          stages.maps = self.network.encodeStages(batches[0].images)
          return stages.maps[stages.maps.count - 1]
        }
        return Tensor.concat(batches.enumerated().map { t, b in self.network.encode(b.images, task: t) }, axis: 0)
      },
      lossesWithTerms: { [unowned self] shared in
        let losses = try self.objectives.enumerated().map { t, o in
          let batch = batches.count == 1 ? batches[0] : batches[t]
          let z = rows.isEmpty ? shared[t] : shared[t].sliced(axis: 0, range: rows[t])
          let output = self.network.decode(z, task: t, inputSize: Size2D(batch.images.shape[2], batch.images.shape[3]))
          return try o.loss(output, batch: batch)
        }
        guard let aux = self.auxiliaryModule, !stages.maps.isEmpty else { return TaskLosses(losses) }
        // Seed 004: every task's loss on its column of the auxiliary module, weighted and summed.
        let batch = batches[0]
        let outputs = aux(stages.maps, inputSize: Size2D(batch.images.shape[2], batch.images.shape[3]))
        var total = try self.objectives[0].loss(outputs[0], batch: batch)
        for t in 1..<self.objectives.count { total = total + (try self.objectives[t].loss(outputs[t], batch: batch)) }
        return TaskLosses(losses, trainingOnly: total * Float(self.config.model.auxModuleLossWeight))
      },
      evaluator: evaluator)
  }

  /// The first primary task with no valid label in the step's batches, or nil. (An auxiliary
  /// task without labels in a batch, e.g. a pseudo task whose teacher labelled no pixel above its
  /// threshold, only contributes a zero loss; the step still trains the primary.)
  private func unlabelledTask(_ batches: [Batch]) -> String? {
    for (t, o) in objectives.enumerated() where o.role == .primary {
      let batch = batches.count == 1 ? batches[0] : batches[t]
      if !o.hasLabels(in: batch) { return o.name }
    }
    return nil
  }

  /// The task losses of an ordinary forward pass (no feature aliases), for look-ahead methods.
  private func plainLosses(_ batches: [Batch]) throws -> [Tensor] {
    try objectives.enumerated().map { t, o in
      let batch = batches.count == 1 ? batches[0] : batches[t]
      let z = network.encode(batch.images, task: batches.count == 1 ? nil : t)
      return try o.loss(network.decode(z, task: t, inputSize: Size2D(batch.images.shape[2], batch.images.shape[3])), batch: batch)
    }
  }

  // MARK: Evaluation and model selection

  /// Every task's metrics on a split, in evaluation mode without autodiff.
  public func evaluate(_ split: LoadedDataset) throws -> [MetricRecord] {
    network.module.eval()
    defer { network.module.train() }
    return try Autograd.withoutGradients {
      var out: [MetricRecord] = []
      let datasets = split.datasets
      for (t, o) in objectives.enumerated() {
        let dataset = datasets.count == 1 ? datasets[0] : datasets[t]
        let loader = DataLoader(dataset, DataLoaderOptions(batchSize: config.training.batchSize, shuffle: false, prefetch: config.training.prefetch))
        var metric = o.makeMetric()
        let it = loader.batches(epoch: 0)
        while let batch = try it.next() {
          let z = network.encode(batch.images, task: datasets.count == 1 ? nil : t)
          let output = network.decode(z, task: t, inputSize: Size2D(batch.images.shape[2], batch.images.shape[3]))
          o.update(&metric, output: output, batch: batch)
        }
        for v in metric.compute() {
          out.append(MetricRecord(task: o.name, metric: v.name, value: v.value, higherIsBetter: v.direction == .higherIsBetter))
        }
      }
      return out
    }
  }

  /// Updates the best epoch from validation metrics; returns whether this epoch is the new best.
  private func updateBest(_ metrics: [MetricRecord]) throws -> Bool {
    let o = objectives[primaryIndex]
    guard let m = metrics.first(where: { $0.task == o.name && $0.metric == o.mainMetric }), m.value.isFinite else {
      evaluationsWithoutImprovement += 1
      return false
    }
    let better = bestValue.map { m.higherIsBetter ? m.value > $0 : m.value < $0 } ?? true
    if better {
      bestValue = m.value
      bestEpoch = epochsDone
      evaluationsWithoutImprovement = 0
      try Safetensors.write(network.module.stateArchive(), to: bestURL)
    } else {
      evaluationsWithoutImprovement += 1
    }
    return better
  }

  /// Final evaluation on the test split with the selected weights.
  private func finish(progress: TrainingProgress) throws {
    if bestEpoch != nil, FileManager.default.fileExists(atPath: bestURL.path) {
      let best = try Safetensors.read(bestURL)
      try network.module.loadStateDict(best.tensors, source: bestURL.path)
    } else {
      bestEpoch = epochsDone
    }
    let metrics = try evaluate(data.test)
    try folder.append(EvaluationRecord(epoch: bestEpoch ?? epochsDone, split: "test", trainLoss: [:], metrics: metrics, trainSeconds: 0), to: folder.metricsURL)
    record.finalMetrics = metrics
    record.bestEpoch = bestEpoch
    record.status = .finished
    record.finishedAt = Date()
    try folder.write(record)
    let main = objectives.compactMap { o in metrics.first { $0.task == o.name && $0.metric == o.mainMetric } }
    progress.note("test (epoch \(bestEpoch ?? epochsDone)): " + main.map { "\($0.key) \(ProgressBar.format($0.value))" }.joined(separator: ", "))
  }

  // MARK: Logging

  private func logStep(epoch: Int, losses: [Float], report: StepReport) throws {
    let lr = Double(optimizer.groups.first?.learningRate ?? 0)
    let lossMap = Dictionary(uniqueKeysWithValues: zip(objectives.map(\.name), losses.map(Double.init)))
    try folder.append(
      StepRecord(
        step: iteration, epoch: epoch + 1, losses: lossMap, values: report.values.mapValues(Double.init), learningRate: lr,
        solver: solverCounts.solvedSteps > 0 ? solverCounts : nil),
      to: folder.stepsURL)
    var scalars = objectives.indices.map { ("loss/\(objectives[$0].name)", losses[$0]) }
    scalars += report.values.sorted { $0.key < $1.key }.map { ("method/\($0.key)", $0.value) }
    if solverCounts.solvedSteps > 0 {
      scalars.append(("solver/non_converged_steps", Float(solverCounts.nonConvergedSteps)))
      scalars.append(("solver/fallback_steps", Float(solverCounts.fallbackSteps)))
      scalars.append(("solver/iterations", Float(report.solvers.reduce(0) { $0 + $1.iterations })))
    }
    scalars.append(("learning_rate", Float(lr)))
    try logScalars(scalars, step: iteration)
  }

  private func logScalars(_ scalars: [(String, Float)], step: Int) throws {
    guard let tensorBoard, !scalars.isEmpty else { return }
    try tensorBoard.addScalars(scalars.map { (tag: $0.0, value: $0.1) }, step: step)
  }

  // MARK: Checkpoints

  /// Writes the full training state atomically (an ``AuxNN/TrainingCheckpoint``: model,
  /// optimiser, schedule, dropout generators, the method's state, and the loop's own state as
  /// JSON metadata).
  private func saveCheckpoint() throws {
    let loop = LoopState(
      bestValue: bestValue, bestEpoch: bestEpoch, evaluationsWithoutImprovement: evaluationsWithoutImprovement,
      stoppedEarly: stoppedEarly, secondsPerEpoch: record.secondsPerEpoch, cpuSecondsPerEpoch: record.cpuSecondsPerEpoch,
      loadAveragePerEpoch: record.loadAveragePerEpoch, solverCounts: solverCounts,
      skippedSteps: skippedSteps)
    let checkpoint = TrainingCheckpoint(
      model: network.module, optimizer: optimizer, scheduler: scheduler, step: iteration, epoch: epochsDone,
      components: auxiliaryModule.map { ["method": method.stateDict(), "auxmodule": $0.stateDict()] } ?? ["method": method.stateDict()],
      metadata: ["loop": String(decoding: try JSONEncoder().encode(loop), as: UTF8.self)])
    try checkpoint.write(to: folder.checkpointURL)
  }

  /// The loop's model-selection state, stored as JSON in the checkpoint's metadata.
  struct LoopState: Codable {
    var bestValue: Double?
    var bestEpoch: Int?
    var evaluationsWithoutImprovement: Int
    var stoppedEarly: Bool
    var secondsPerEpoch: [Double]
    /// Absent in checkpoints written before CPU time and load were kept.
    var cpuSecondsPerEpoch: [Double]?
    var loadAveragePerEpoch: [Double]?
    /// Absent in checkpoints written before solver counts were kept.
    var solverCounts: SolverCounts?
    /// Absent in checkpoints written before skipped steps were counted.
    var skippedSteps: Int?
  }

  private func restoreCheckpoint() throws {
    let path = folder.checkpointURL.path
    let checkpoint = try TrainingCheckpoint.read(from: folder.checkpointURL)
    guard let loopText = checkpoint.metadata["loop"] else {
      throw FormatError(file: path, "checkpoint has no trainer state (metadata 'user.loop'); it was not written by `auxmtl train`")
    }
    let loop: LoopState
    do {
      loop = try JSONDecoder().decode(LoopState.self, from: Data(loopText.utf8))
    } catch {
      throw FormatError(file: path, "metadata 'user.loop' is not valid: \(error)")
    }
    try checkpoint.restore(model: network.module, optimizer: optimizer, scheduler: scheduler)
    try method.loadStateDict(checkpoint.components["method"] ?? [:])
    if let aux = auxiliaryModule {
      guard let state = checkpoint.components["auxmodule"] else {
        throw FormatError(file: path, "component auxmodule: expected the auxiliary module's state (model.aux_module is on), found none; the run was started without it")
      }
      try aux.loadStateDict(state, source: path)
    }
    epochsDone = checkpoint.epoch
    iteration = checkpoint.step
    bestValue = loop.bestValue
    bestEpoch = loop.bestEpoch
    evaluationsWithoutImprovement = loop.evaluationsWithoutImprovement
    stoppedEarly = loop.stoppedEarly
    record.epochsCompleted = epochsDone
    record.secondsPerEpoch = loop.secondsPerEpoch
    record.cpuSecondsPerEpoch = loop.cpuSecondsPerEpoch
    record.loadAveragePerEpoch = loop.loadAveragePerEpoch
    solverCounts = loop.solverCounts ?? SolverCounts()
    skippedSteps = loop.skippedSteps ?? 0
    record.skippedSteps = skippedSteps > 0 ? skippedSteps : nil
    record.solver = solverCounts.solvedSteps > 0 ? solverCounts : nil
    // Drop log lines written after the checkpoint (an interrupted epoch).
    let done = epochsDone
    let steps = iteration
    try folder.truncateLines(EvaluationRecord.self, in: folder.metricsURL) { $0.epoch <= done && $0.split != "test" }
    try folder.truncateLines(StepRecord.self, in: folder.stepsURL) { $0.step <= steps }
  }
}

/// The batches of one training epoch, for single- or multi-input data, plus the second shuffled
/// stream over the training set that look-ahead methods use as their "validation" batches.
final class EpochBatches {
  private let single: BatchIterator?
  private let multi: MultiInputIterator?
  private let lookahead: DataLoader
  private let lookaheadMulti: MultiInputLoader?
  private var lookaheadIterator: BatchIterator?
  private var lookaheadMultiIterator: MultiInputIterator?
  private let epoch: Int
  private var lookaheadCycle = 0
  /// Steps in the epoch.
  let count: Int

  init(data: TrainingData, config: TrainConfig, epoch: Int, taskCount: Int) throws {
    self.epoch = epoch
    var options = DataLoaderOptions(
      batchSize: config.training.batchSize, shuffle: true, dropLast: false, seed: config.seed,
      prefetch: config.training.prefetch, augmentation: data.augmentation)
    options.spread = data.spreadIndices
    var second = options
    second.seed = config.seed &+ 0x5EC0_4D
    second.prefetch = 0
    switch data.train {
    case .single(let d):
      let loader = DataLoader(d, options)
      single = loader.batches(epoch: epoch)
      multi = nil
      count = loader.batchesPerEpoch
      lookahead = DataLoader(d, second)
      lookaheadMulti = nil
    case .multiInput(let ds):
      guard ds.count == taskCount else {
        throw TrainingError("multi-input data has \(ds.count) task datasets for \(taskCount) tasks")
      }
      let loader = MultiInputLoader(ds, options)
      multi = loader.steps(epoch: epoch)
      single = nil
      count = loader.stepsPerEpoch
      lookahead = DataLoader(ds[0], second)
      lookaheadMulti = MultiInputLoader(ds, second)
    }
  }

  /// The next step's batches (one, or one per task), or nil at the end of the epoch.
  func next() throws -> [Batch]? {
    if let single { return try single.next().map { [$0] } }
    return try multi?.next()?.batches
  }

  /// The next batches of the second stream (cycling through the training set).
  func validationBatches() throws -> [Batch] {
    if let lookaheadMulti {
      if lookaheadMultiIterator == nil { lookaheadMultiIterator = lookaheadMulti.steps(epoch: epoch) }
      if let s = try lookaheadMultiIterator!.next() { return s.batches }
      lookaheadMultiIterator = lookaheadMulti.steps(epoch: epoch)
      return try lookaheadMultiIterator!.next()?.batches ?? []
    }
    if lookaheadIterator == nil { lookaheadIterator = lookahead.batches(epoch: epoch, cycle: lookaheadCycle) }
    if let b = try lookaheadIterator!.next() { return [b] }
    lookaheadCycle += 1
    lookaheadIterator = lookahead.batches(epoch: epoch, cycle: lookaheadCycle)
    return try lookaheadIterator!.next().map { [$0] } ?? []
  }
}
