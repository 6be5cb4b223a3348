import AuxIO
import Foundation

/// Several experiments that differ in one setting (a noise rate, a fixed auxiliary weight, a
/// label fraction), side by side: for every method, the primary task's main metric at each
/// value of the setting, and its paired difference with the single-task runs of the same
/// experiment. The IAL paper's noise-robustness claim is such a curve; so is the grid search of
/// its Grad.(GS) ablation.
///
/// ```swift
/// let series = try SeriesReport.load(
///   experiments: ["runs/scenes-noise-0", "runs/scenes-noise-0.5"].map { URL(fileURLWithPath: $0) },
///   labels: ["0", "0.5"], setting: "noise rate")
/// print(series.consoleText())
/// ```
///
/// Each experiment contributes its first Table I block (the primary tasks of its first run);
/// every experiment must have the same primary tasks and the same primary metric.
public struct SeriesReport: Sendable {
  /// One experiment of the series.
  public struct Point: Sendable {
    /// The setting's value as given (`0.5`).
    public let label: String
    /// The label as a number, when every label of the series is one (the plot's x axis is then
    /// to scale).
    public let value: Double?
    /// The experiment folder's name.
    public let experiment: String
    /// Its Table I block.
    public let table: ResultsTable
  }

  /// What the experiments differ in (the x axis), e.g. `noise rate`.
  public let setting: String
  public let points: [Point]
  /// The primary metric column (the same in every experiment).
  public let column: ResultColumn
  /// Every method of any experiment, single-task last (``MethodVariant`` order).
  public let variants: [MethodVariant]

  /// Builds the series from reports already loaded, one per label.
  ///
  /// - Throws: ``SeriesReportError`` when labels and reports differ in number, an experiment has
  ///   no finished run, or the experiments do not share their primary tasks and metric.
  public init(reports: [ExperimentReport], labels: [String], setting: String) throws {
    guard reports.count >= 2 else {
      throw SeriesReportError("a series needs at least two experiment folders; got \(reports.count)")
    }
    guard labels.count == reports.count else {
      throw SeriesReportError("--x: expected \(reports.count) values (one per experiment folder), found \(labels.count): \(labels.joined(separator: ","))")
    }
    var tables: [ResultsTable] = []
    for r in reports {
      guard let t = r.tables.first(where: { if case .primarySet = $0.kind { return true } else { return false } }) else {
        throw SeriesReportError("\(r.runs.directory.path): no finished run to report (\(r.runs.excluded.count) left out)")
      }
      tables.append(t)
    }
    guard let column = tables[0].columns.first(where: \.isPrimary) else {
      throw SeriesReportError("\(reports[0].runs.directory.path): its table has no primary task column")
    }
    for (r, t) in zip(reports, tables).dropFirst() {
      guard t.kind == tables[0].kind, let c = t.columns.first(where: \.isPrimary), c.task == column.task, c.metric == column.metric else {
        throw SeriesReportError(
          "\(r.runs.directory.path): \(t.title), \(t.columns.first(where: \.isPrimary)?.title ?? "no primary column"); expected the primary and metric of \(reports[0].runs.directory.lastPathComponent): \(tables[0].title), \(column.title)")
      }
    }
    let numbers = labels.map { Double($0) }
    let numeric = numbers.allSatisfy { $0 != nil && $0!.isFinite }
    points = zip(zip(labels, numbers), zip(reports, tables)).map { l, rt in
      Point(label: l.0, value: numeric ? l.1 : nil, experiment: rt.0.name, table: rt.1)
    }
    self.setting = setting
    self.column = column
    variants = Set(tables.flatMap { $0.rows.map(\.variant) }).sorted()
  }

  /// Loads each experiment folder (``ExperimentReport/load(experiment:)``) and builds the
  /// series. Without labels, each folder's name is its label.
  public static func load(experiments: [URL], labels: [String]? = nil, setting: String) throws -> SeriesReport {
    let reports = try experiments.map { try ExperimentReport.load(experiment: $0) }
    return try SeriesReport(reports: reports, labels: labels ?? reports.map(\.name), setting: setting)
  }

  /// Where `auxmtl report` writes a series by default:
  /// `<parent of the first folder>/<the names' common prefix up to its last - or _>-series`.
  public static func defaultFolder(for folders: [URL]) -> URL {
    let names = folders.map { $0.standardizedFileURL.lastPathComponent }
    var prefix = names[0]
    for n in names.dropFirst() {
      while !n.hasPrefix(prefix) { prefix.removeLast() }
    }
    // Back to the last separator: `scenes-noise-0` and `scenes-noise-0.5` share `scenes-noise-0`,
    // but the series is `scenes-noise`.
    if let cut = prefix.lastIndex(where: { $0 == "-" || $0 == "_" }) { prefix = String(prefix[..<cut]) }
    let parent = folders[0].standardizedFileURL.deletingLastPathComponent()
    return parent.appendingPathComponent(prefix.isEmpty ? "series" : "\(prefix)-series")
  }

  /// The row of `variant` in `point`'s table, if it ran there.
  func row(_ variant: MethodVariant, _ point: Point) -> ResultRow? {
    point.table.rows.first { $0.variant == variant }
  }

  /// The primary metric's summary over seeds.
  public func summary(_ variant: MethodVariant, at point: Point) -> SampleSummary? {
    guard let row = row(variant, point), let i = point.table.columns.firstIndex(where: { $0.task == column.task && $0.metric == column.metric }) else { return nil }
    return row.cells[i].summary
  }

  /// The paired comparison of the primary Δm (single metric) with the same experiment's
  /// single-task runs, per seed.
  public func versusSingleTask(_ variant: MethodVariant, at point: Point) -> PairedDifference? {
    guard let row = row(variant, point),
      let k = point.table.deltaMColumns.firstIndex(of: DeltaMColumn(scope: point.table.deltaMColumns.contains { $0.scope == .primary } ? .primary : .allTasks, variant: .singleMetric))
    else { return nil }
    return row.deltaM[k].versusSingleTask
  }

  /// Two grids: the primary metric (mean ± std over seeds) per method and setting; the paired Δm
  /// against single-task with its 95 % interval (* where it excludes 0).
  public func textGrids() -> [TextGrid] {
    let decimals = ReportFormat.decimals(points.flatMap { p in variants.compactMap { summary($0, at: p)?.mean } })
    let header = ["Method"] + points.map { "\(setting) \($0.label)" }
    let metricRows = variants.map { v -> [String] in
      [v.description] + points.map { p in
        guard let s = summary(v, at: p) else { return "—" }
        return ReportFormat.summary(s, decimals) + " (n=\(s.count))"
      }
    }
    let metric = TextGrid(
      title: "\(column.title) by \(setting) (mean ± sample std over seeds)", header: header, rows: metricRows,
      notes: ["— : the method has no finished run in that experiment. Experiments: " + points.map { "\($0.label) = \($0.experiment)" }.joined(separator: ", ") + "."])
    let deltaRows = variants.filter { !$0.isSingleTask }.map { v -> [String] in
      [v.description] + points.map { p in
        guard let d = versusSingleTask(v, at: p) else { return "—" }
        var text = ReportFormat.percent(d.mean)
        if let lo = d.lower, let hi = d.upper {
          text += " [\(ReportFormat.percent(lo)), \(ReportFormat.percent(hi))]"
          if lo > 0 || hi < 0 { text += "*" }
        }
        return text
      }
    }
    let delta = TextGrid(
      title: "Δm primary (single metric) % against single-task, paired by seed, 95 % t interval", header: header, rows: deltaRows,
      notes: ["* : the interval excludes 0. — : no single-task run with the same seed, or one seed only (no interval is shown then)."])
    return [metric, delta]
  }

  /// The primary metric against the setting, one line per method with its min–max band over
  /// seeds; the single-task line dashed. With non-numeric labels, x is the experiment's position.
  public func plot() -> LinePlot {
    let numeric = points.allSatisfy { $0.value != nil }
    let xs = points.enumerated().map { numeric ? $0.element.value! : Double($0.offset) }
    let series = variants.enumerated().map { i, v -> LinePlot.Series in
      var line: [LinePlot.Point] = []
      var band: [LinePlot.BandPoint] = []
      for (x, p) in zip(xs, points) {
        guard let s = summary(v, at: p) else { continue }
        line.append(.init(x: x, y: s.mean))
        band.append(.init(x: x, low: s.minimum, high: s.maximum))
      }
      return LinePlot.Series(name: v.description, color: PlotPalette.color(i), points: line, band: band, dashed: v.isSingleTask)
    }
    let xLabel = numeric ? setting : "\(setting) (" + points.enumerated().map { "\($0.offset) = \($0.element.label)" }.joined(separator: ", ") + ")"
    return LinePlot(title: "\(column.title) by \(setting)", xLabel: xLabel, yLabel: column.title, series: series, integerX: !numeric)
  }

  /// One line per method and setting value: `setting,experiment,method,seeds,mean,std,min,max,delta_m_vs_single_task,ci_low,ci_high`.
  public func csv() -> String {
    var out = "setting,experiment,method,seeds,\(column.task)_\(column.metric)_mean,std,min,max,delta_m_primary_vs_single_task,ci_low,ci_high\n"
    let n = ReportFormat.csv
    for p in points {
      for v in variants {
        guard let s = summary(v, at: p) else { continue }
        let d = v.isSingleTask ? nil : versusSingleTask(v, at: p)
        let fields = [p.label, p.experiment, v.description, String(s.count), n(s.mean), n(s.standardDeviation), n(s.minimum), n(s.maximum), n(d?.mean), n(d?.lower), n(d?.upper)]
        out += fields.map(ReportFormat.csvField).joined(separator: ",") + "\n"
      }
    }
    return out
  }

  /// The console form.
  public func consoleText() -> String {
    textGrids().map { ConsoleTable($0).render() }.joined(separator: "\n")
  }

  /// Markdown: both grids and a pointer to the plot.
  public func markdown() -> String {
    var out = "# \(column.title) by \(setting)\n\n"
    for g in textGrids() { out += ExperimentReport.markdownTable(g, level: 2) }
    out += "The plot is in series.html (and series.svg).\n"
    return out
  }

  /// A self-contained XHTML page (no JavaScript, no external resource): the plot, then the grids.
  public func html() -> String {
    let title = XMLEscaping.escape("\(column.title) by \(setting)")
    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
      <head>
      <meta charset="UTF-8"/>
      <title>auxmtl series: \(title)</title>
      <style>
      body { font-family: sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #1a1a1a; }
      table { border-collapse: collapse; margin: 0.5em 0 0.5em 0; font-size: 0.9em; }
      th, td { border: 1px solid #c8c8c8; padding: 0.25em 0.6em; }
      th { background: #f0f0f0; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      ol.notes { font-size: 0.85em; color: #444444; }
      </style>
      </head>
      <body>
      <h1>\(title)</h1>

      """
    out += "<figure>\n\(plot().svg())\n</figure>\n"
    for g in textGrids() { out += ExperimentReport.htmlTable(g, heading: "h2", baselineRows: []) }
    return out + "</body>\n</html>\n"
  }

  /// Writes `series.md`, `series.csv`, `series.svg` and `series.html` into `directory`, each
  /// atomically, and returns their paths.
  public func write(to directory: URL) throws -> [URL] {
    let files: [(String, String)] = [("series.md", markdown()), ("series.csv", csv()), ("series.svg", plot().svg()), ("series.html", html())]
    return try files.map { name, text in
      let url = directory.appendingPathComponent(name)
      try AtomicFile.write(Data(text.utf8), to: url)
      return url
    }
  }
}

/// A series of experiments that cannot be put side by side.
public struct SeriesReportError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}
