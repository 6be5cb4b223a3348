/// Which tasks a Δm averages over.
public enum DeltaMScope: String, Sendable, Hashable {
  /// The primary task(s) only: the auxiliary-learning figure of merit (IAL paper).
  case primary
  /// Every task the runs report (the multi-task figure of merit).
  case allTasks = "all tasks"
}

/// How a task's relative change is formed.
public enum DeltaMVariant: String, Sendable, Hashable {
  /// One main metric per task (IAL eq. (11), Vandenhende et al.): `deltaMSingleMetric`.
  case singleMetric = "single metric"
  /// The mean over all of a task's metrics, then over tasks (LibMTL): `deltaMPerTaskMean`.
  case perTaskMean = "per-task mean"
}

/// One Δm column: a scope and a variant.
public struct DeltaMColumn: Sendable, Hashable {
  public let scope: DeltaMScope
  public let variant: DeltaMVariant

  public init(scope: DeltaMScope, variant: DeltaMVariant) {
    self.scope = scope
    self.variant = variant
  }

  /// `Δm primary (single metric)`.
  public var title: String {
    "Δm \(scope == .primary ? "primary" : "all tasks") (\(variant.rawValue))"
  }
}

/// A metric column: a task's main metric.
public struct ResultColumn: Sendable, Equatable {
  public let task: String
  /// The task's main metric (``RunRecord/mainMetrics``).
  public let metric: String
  /// nil when no run reports the metric (its direction is unknown).
  public let higherIsBetter: Bool?
  /// Whether the task is primary in this table.
  public let isPrimary: Bool

  /// `semantic mIoU ↑`.
  public var title: String {
    let arrow = higherIsBetter.map { $0 ? " ↑" : " ↓" } ?? ""
    return "\(task) \(metric)\(arrow)"
  }
}

/// A metric cell: the summary over the row's runs (seeds) that report the metric.
public struct ResultCell: Sendable, Equatable {
  /// nil: no run of the row reports it (shown as "—").
  public let summary: SampleSummary?
  /// 1-based index into the table's ``ResultsTable/notes`` explaining a missing value.
  public let note: Int?
}

/// A Δm cell.
public struct DeltaMCell: Sendable, Equatable {
  /// Δm (percent) of the seed-mean metrics against the seed-mean single-task baselines; nil when
  /// it cannot be computed (``note`` says why).
  public let value: Double?
  /// Δm of each run (seed) against the same baselines: mean ± sample std over runs.
  public let perSeed: SampleSummary?
  /// 1-based index into the table's notes.
  public let note: Int?
  /// The single-task row itself (Δm is 0 by definition).
  public let isReference: Bool
  /// Per seed: Δm of the run with that seed against the single-task runs with the same seed
  /// (same data order and encoder initialisation); seeds without a single-task run of every task
  /// are left out.
  public internal(set) var pairedPerSeed: [UInt64: Double] = [:]
  /// The paired comparison with single-task: mean of ``pairedPerSeed`` with its 95 % t interval.
  public internal(set) var versusSingleTask: PairedDifference? = nil
  /// The paired comparison with EW (`ew`): this row's ``pairedPerSeed`` minus EW's, over the
  /// seeds both have; nil for EW itself, the single-task row, or without EW runs.
  public internal(set) var versusEqualWeighting: PairedDifference? = nil

  static let reference = DeltaMCell(value: nil, perSeed: nil, note: nil, isReference: true)
}

/// One row: a method variant (or the single-task baselines) and its cells.
public struct ResultRow: Sendable {
  public let variant: MethodVariant
  /// The runs averaged in this row (ids), sorted by seed.
  public let runIDs: [String]
  /// Number of runs (seeds) in the row; nil for the single-task row, whose cells each come from
  /// their own task's runs.
  public let runCount: Int?
  /// One per ``ResultsTable/columns``.
  public let cells: [ResultCell]
  /// One per ``ResultsTable/deltaMColumns``.
  public internal(set) var deltaM: [DeltaMCell]
}

/// A table shaped like the IAL paper's Table I: rows = methods (and the single-task baselines),
/// columns = each task's main metric as mean ± sample std over seeds, then Δm.
public struct ResultsTable: Sendable {
  /// What the table holds.
  public enum Kind: Sendable, Equatable {
    /// Runs sharing one set of primary tasks (every task's metric from the same runs).
    case primarySet([String])
    /// The auxiliary setting as the IAL paper tabulates it: each task's metric comes from the
    /// runs where that task was the only primary.
    case auxiliarySetting
  }

  public let kind: Kind
  /// The dataset of every run in the table.
  public let dataset: String
  /// `scenes: primary semantic`.
  public let title: String
  /// The metric columns: the primary tasks first, then the other tasks the runs report.
  public let columns: [ResultColumn]
  /// The Δm columns (primary, then all tasks; single metric, then per-task mean). Tables whose
  /// primary tasks are all the tasks have only the all-tasks pair.
  public let deltaMColumns: [DeltaMColumn]
  /// The single-task row first, then the methods in registry order.
  public let rows: [ResultRow]
  /// Footnotes (cells refer to them by 1-based index).
  public let notes: [String]
}
