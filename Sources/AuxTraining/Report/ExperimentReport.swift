import AuxIO
import Foundation

/// The report of one experiment folder: Table I (per-task metrics and Δm against single-task
/// baselines), Table II (training time), learning curves and the methods' weights over training.
///
/// ```swift
/// let report = try ExperimentReport.load(experiment: URL(fileURLWithPath: "runs/demo"))
/// let files = try report.write(to: URL(fileURLWithPath: "runs/demo/report"))
/// print(report.consoleText())
/// ```
///
/// Conventions: metric columns are mean ± sample standard deviation (n − 1) over seeds; Δm is in
/// percent, positive when better than the single-task baselines, computed from the
/// seed means (and, in brackets, as mean ± std of the per-seed Δm); the baselines are the
/// experiment's `single-task` runs averaged over their seeds. Nothing is filled in: a value that
/// cannot be computed is "—" with a footnote saying why.
public struct ExperimentReport: Sendable {
  /// The experiment's name (its folder name).
  public let name: String
  public let runs: ExperimentRuns
  /// Table I: one per dataset and set of primary tasks, then the auxiliary-setting tables.
  public let tables: [ResultsTable]
  /// Mean rank of each method over the Table I settings.
  public let ranks: MeanRankTable
  /// Table II.
  public let timing: TimingTable
  public let figures: ReportFigures

  /// Builds the report of runs already loaded.
  public init(runs: ExperimentRuns) {
    self.name = runs.directory.lastPathComponent
    self.runs = runs
    tables = ResultsTable.build(runs: runs.included)
    ranks = MeanRankTable.build(tables: tables)
    timing = TimingTable.build(runs: runs.included)
    figures = ReportFigures.build(runs: runs.included)
  }

  /// Loads the experiment folder (see ``ExperimentRuns/load(from:)``) and builds its report.
  public static func load(experiment directory: URL) throws -> ExperimentReport {
    ExperimentReport(runs: try ExperimentRuns.load(from: directory))
  }

  /// The files ``write(to:)`` produces.
  public struct Files: Sendable {
    public let markdown: URL
    public let table1: URL
    public let table2: URL
    public let html: URL
    public var all: [URL] { [markdown, table1, table2, html] }
  }

  /// Writes `report.md`, `table1.csv`, `table2.csv` and `report.html` into `directory` (created
  /// if needed), each atomically.
  public func write(to directory: URL) throws -> Files {
    let files = Files(
      markdown: directory.appendingPathComponent("report.md"),
      table1: directory.appendingPathComponent("table1.csv"),
      table2: directory.appendingPathComponent("table2.csv"),
      html: directory.appendingPathComponent("report.html"))
    try AtomicFile.write(Data(markdown().utf8), to: files.markdown)
    try AtomicFile.write(Data(table1CSV().utf8), to: files.table1)
    try AtomicFile.write(Data(table2CSV().utf8), to: files.table2)
    try AtomicFile.write(Data(html().utf8), to: files.html)
    return files
  }

  /// One line on what went in: `12 runs (2 excluded)`.
  var summaryLine: String {
    let n = runs.included.count
    let datasets = uniqued(runs.included.map(\.record.dataset))
    var s = "\(n) finished run\(n == 1 ? "" : "s")"
    if !datasets.isEmpty { s += " on \(datasets.joined(separator: ", "))" }
    if !runs.excluded.isEmpty { s += "; \(runs.excluded.count) run\(runs.excluded.count == 1 ? "" : "s") left out (listed below)" }
    return s + "."
  }

  /// The conventions, as printed under the tables.
  static let legend = """
    Metric columns: mean ± sample standard deviation over seeds (the Seeds column, or n=k where a \
    cell has fewer runs). Δm in percent against the single-task runs (mean over their seeds), \
    positive = better: "single metric" uses each task's main metric, "per-task mean" \
    averages the signed relative changes of all of a task's metrics first. "primary" averages over \
    the primary task(s), "all tasks" over every task the runs report. The number is Δm of the seed \
    means; in brackets the mean ± std of the per-seed Δm. — marks a value that cannot be computed, \
    with a footnote saying why. Under each table, paired comparisons: a run is paired with the \
    single-task (or EW) run of the same seed, which saw the same data order and started from the \
    same encoder weights; per seed, Δm against the same-seed single-task runs, then the mean \
    difference with its 95 % Student-t interval (paired t, n − 1 degrees of freedom). * marks an \
    interval that excludes 0 (significant at 5 %, two-sided, with no correction for the number \
    of comparisons).
    """

  /// Excluded runs as a grid.
  var excludedGrid: TextGrid {
    var g = TextGrid(
      title: "Runs left out", header: ["Run", "Status", "Reason"],
      rows: runs.excluded.map { [$0.id, $0.status, $0.reason] })
    g.rightAligned = [false, false, false]
    return g
  }
}
