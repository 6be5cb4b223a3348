import AuxMTL
import Foundation

/// One metric value as stored in a run folder: task, metric name, value and direction.
public struct MetricRecord: Codable, Sendable, Equatable {
  public var task: String
  public var metric: String
  public var value: Double
  public var higherIsBetter: Bool

  public init(task: String, metric: String, value: Double, higherIsBetter: Bool) {
    self.task = task
    self.metric = metric
    self.value = value
    self.higherIsBetter = higherIsBetter
  }

  /// `"<task>/<metric>"`.
  public var key: String { "\(task)/\(metric)" }
}

/// One evaluation of a run (one line of `metrics.jsonl`).
public struct EvaluationRecord: Codable, Sendable, Equatable {
  /// 1-based epoch after which the evaluation ran.
  public var epoch: Int
  /// `"val"` or `"test"`.
  public var split: String
  /// Mean training loss per task over the epoch (empty for evaluations that are not per epoch).
  public var trainLoss: [String: Double]
  public var metrics: [MetricRecord]
  /// Wall-clock seconds of the epoch's training (without evaluation).
  public var trainSeconds: Double

  public init(epoch: Int, split: String, trainLoss: [String: Double], metrics: [MetricRecord], trainSeconds: Double) {
    self.epoch = epoch
    self.split = split
    self.trainLoss = trainLoss
    self.metrics = metrics
    self.trainSeconds = trainSeconds
  }
}

/// The method's report for one training step (one line of `steps.jsonl`), logged every few steps.
public struct StepRecord: Codable, Sendable, Equatable {
  public var step: Int
  public var epoch: Int
  public var losses: [String: Double]
  /// The weighting method's ``AuxMTL/StepReport`` values (`weight/<task>`, `sigma/<task>`, …).
  public var values: [String: Double]
  public var learningRate: Double
  /// The run's solver counts up to this step (steps with a non-converged solve or a fallback,
  /// ``AuxMTL/SolverCounts``); nil for methods without an inner solver.
  public var solver: SolverCounts?

  public init(step: Int, epoch: Int, losses: [String: Double], values: [String: Double], learningRate: Double, solver: SolverCounts? = nil) {
    self.step = step
    self.epoch = epoch
    self.losses = losses
    self.values = values
    self.learningRate = learningRate
    self.solver = solver
  }
}

/// Where a run stands.
public enum RunStatus: String, Codable, Sendable {
  /// Training has started and not ended (or the process was killed; `--resume` continues it).
  case running
  /// Training was stopped on request (Ctrl-C) after a step; `--resume` continues it from the
  /// last finished epoch.
  case interrupted
  /// Training ended (all epochs, or early stopping) and the final evaluation is recorded.
  case finished
  /// Training raised an error; `error` in the record says which.
  case failed
}

/// The summary of one training run, stored as `run.json` in its folder.
///
/// A run folder holds:
/// - `run.json` — this record (rewritten atomically as the run progresses);
/// - `config.yaml` — the resolved configuration the run was started with;
/// - `metrics.jsonl` — one ``EvaluationRecord`` per evaluation;
/// - `steps.jsonl` — ``StepRecord``s every `log_every` steps (the method's weights over training);
/// - `events.out.tfevents.*` — the same scalars for TensorBoard;
/// - `checkpoint.safetensors` — the latest full training state (for `--resume`).
public struct RunRecord: Codable, Sendable, Equatable {
  /// Folder name, unique within the experiment (e.g. `"ial-semantic-s0"`).
  public var id: String
  /// The experiment (parent folder) name.
  public var experiment: String
  /// The weighting method's registry name, or `"single-task"` for a single-task baseline.
  public var method: String
  public var methodOptions: [String: String]
  /// Every task trained, in order, with its role.
  public var tasks: [String]
  public var primaryTasks: [String]
  public var seed: UInt64
  public var dataset: String
  public var model: String
  public var status: RunStatus
  /// Epochs finished so far.
  public var epochsCompleted: Int
  public var epochsPlanned: Int
  /// The epoch whose weights the final metrics come from (best validation epoch of the primary
  /// task's main metric, or the last epoch without validation).
  public var bestEpoch: Int?
  /// Training seconds of each finished epoch (without evaluation).
  public var secondsPerEpoch: [Double]
  /// CPU seconds (user + system, every thread of the process) of each finished epoch's training,
  /// beside ``secondsPerEpoch``; nil in records written before it was kept.
  public var cpuSecondsPerEpoch: [Double]?
  /// The machine's 1-minute load average at the end of each finished epoch's training (it
  /// averages roughly the last minute); nil in records written before it was kept, or where the
  /// system does not report it.
  public var loadAveragePerEpoch: [Double]?
  /// The main metric of each task (the one Δm uses), e.g. `["semantic": "mIoU"]`.
  public var mainMetrics: [String: String]
  /// Test-set metrics of the selected epoch, every task, every metric.
  public var finalMetrics: [MetricRecord]
  public var startedAt: Date
  public var finishedAt: Date?
  public var error: String?
  /// The method's solver counts over the run (steps with a non-converged solve or a fallback,
  /// the last problem); nil for methods without an inner solver.
  public var solver: SolverCounts?
  /// Training batches skipped because a primary task had no label in them (label-scarce data); nil: none.
  public var skippedSteps: Int?
  /// Software and machine facts (auxmtl version, BLAS core and threads).
  public var environment: [String: String]
  /// The resolved configuration the run trains under now (nil in records written by hand).
  public var configuration: TrainConfig?
  /// Each time the run was resumed under a different configuration (`--allow-config-change`):
  /// where, what changed and the configuration before; nil when it never was.
  public var configChanges: [ConfigChange]?

  public init(
    id: String, experiment: String, method: String, methodOptions: [String: String], tasks: [String],
    primaryTasks: [String], seed: UInt64, dataset: String, model: String, epochsPlanned: Int,
    mainMetrics: [String: String], environment: [String: String], startedAt: Date = Date()
  ) {
    self.id = id
    self.experiment = experiment
    self.method = method
    self.methodOptions = methodOptions
    self.tasks = tasks
    self.primaryTasks = primaryTasks
    self.seed = seed
    self.dataset = dataset
    self.model = model
    self.status = .running
    self.epochsCompleted = 0
    self.epochsPlanned = epochsPlanned
    self.bestEpoch = nil
    self.secondsPerEpoch = []
    self.mainMetrics = mainMetrics
    self.finalMetrics = []
    self.startedAt = startedAt
    self.finishedAt = nil
    self.error = nil
    self.environment = environment
    self.configuration = nil
  }

  /// Whether this is a single-task baseline run.
  public var isSingleTask: Bool { method == RunRecord.singleTaskMethod }
  /// The method name single-task baselines are recorded under.
  public static let singleTaskMethod = "single-task"
}

/// A resume under a changed configuration (`auxmtl train --resume --allow-config-change`).
public struct ConfigChange: Codable, Sendable, Equatable {
  /// The step and epoch the run resumed from: steps after `step` ran under the new configuration.
  public var step: Int
  public var epoch: Int
  /// The keys that changed, with both values.
  public var changes: [ConfigDifference]
  /// The whole configuration the run trained under before.
  public var previous: TrainConfig?
  public var at: Date

  public init(step: Int, epoch: Int, changes: [ConfigDifference], previous: TrainConfig?, at: Date = Date()) {
    self.step = step
    self.epoch = epoch
    self.changes = changes
    self.previous = previous
    self.at = at
  }
}
