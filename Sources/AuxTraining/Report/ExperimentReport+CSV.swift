extension DeltaMColumn {
  /// `delta_m_primary_single_metric`.
  var csvName: String {
    "delta_m_\(scope == .primary ? "primary" : "all_tasks")_\(variant == .singleMetric ? "single_metric" : "per_task_mean")"
  }
}

extension ExperimentReport {
  /// `table1.csv`: one line per row of every Table I, numbers at full precision.
  ///
  /// Columns: `dataset`, `table` (`primary set` or `auxiliary setting`), `primary_tasks`
  /// (`;`-separated), `method`, `options` (`name=value;…`, non-default only), `runs`; then for every
  /// task metric of any table `<task>/<metric>_mean`, `_std`, `_n`; then for every Δm column
  /// `delta_m_<scope>_<variant>` (percent, from the seed means) with `_seed_mean`, `_seed_std`,
  /// `_seed_n` (per-seed Δm), and the paired comparisons `_vs_single_task_mean`, `_lower`,
  /// `_upper`, `_n`, `_significant` and the same `_vs_ew_…` (95 % t intervals); then `notes` (why values are missing). Cells that do not apply
  /// are empty; the single-task row has `ref` in its Δm columns.
  public func table1CSV() -> String {
    var metricKeys: [String] = []
    var deltaKeys: [DeltaMColumn] = []
    for t in tables {
      for c in t.columns where !metricKeys.contains("\(c.task)/\(c.metric)") { metricKeys.append("\(c.task)/\(c.metric)") }
      for d in t.deltaMColumns where !deltaKeys.contains(d) { deltaKeys.append(d) }
    }
    var header = ["dataset", "table", "primary_tasks", "method", "options", "runs"]
    for k in metricKeys { header += ["\(k)_mean", "\(k)_std", "\(k)_n"] }
    for d in deltaKeys {
      header += [d.csvName, "\(d.csvName)_seed_mean", "\(d.csvName)_seed_std", "\(d.csvName)_seed_n"]
      for ref in ["single_task", "ew"] {
        header += ["mean", "lower", "upper", "n", "significant"].map { "\(d.csvName)_vs_\(ref)_\($0)" }
      }
    }
    header.append("notes")
    var lines = [header.map(ReportFormat.csvField).joined(separator: ",")]
    for t in tables {
      let kind: String, primary: [String]
      switch t.kind {
      case .primarySet(let p): (kind, primary) = ("primary set", p)
      case .auxiliarySetting: (kind, primary) = ("auxiliary setting", t.columns.map(\.task))
      }
      for row in t.rows {
        var fields = [
          t.dataset, kind, primary.joined(separator: ";"), row.variant.method,
          row.variant.options.keys.sorted().map { "\($0)=\(row.variant.options[$0]!)" }.joined(separator: ";"),
          row.runCount.map(String.init) ?? "",
        ]
        var noteIndices: [Int] = []
        for k in metricKeys {
          if let i = t.columns.firstIndex(where: { "\($0.task)/\($0.metric)" == k }) {
            let cell = row.cells[i]
            fields += [ReportFormat.csv(cell.summary?.mean), ReportFormat.csv(cell.summary?.standardDeviation), cell.summary.map { String($0.count) } ?? ""]
            if let n = cell.note { noteIndices.append(n) }
          } else {
            fields += ["", "", ""]
          }
        }
        for d in deltaKeys {
          if let i = t.deltaMColumns.firstIndex(of: d) {
            let cell = row.deltaM[i]
            if cell.isReference {
              fields += ["ref", "", "", ""] + Array(repeating: "", count: 10)
            } else {
              fields += [
                ReportFormat.csv(cell.value), ReportFormat.csv(cell.perSeed?.mean),
                ReportFormat.csv(cell.perSeed?.standardDeviation), cell.perSeed.map { String($0.count) } ?? "",
              ]
              for p in [cell.versusSingleTask, cell.versusEqualWeighting] {
                fields += [
                  ReportFormat.csv(p?.mean), ReportFormat.csv(p?.lower), ReportFormat.csv(p?.upper),
                  p.map { String($0.count) } ?? "", p.map { $0.lower == nil ? "" : String($0.isSignificant) } ?? "",
                ]
              }
            }
            if let n = cell.note { noteIndices.append(n) }
          } else {
            fields += Array(repeating: "", count: 14)
          }
        }
        fields.append(uniqued(noteIndices).map { t.notes[$0 - 1] }.joined(separator: " | "))
        lines.append(fields.map(ReportFormat.csvField).joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `table2.csv`: `dataset`, `method`, `options`, `runs`, `epochs`, `seconds_per_epoch_mean`,
  /// `seconds_per_epoch_std`, `ratio_to_ew`, `cpu_seconds_per_epoch_mean`,
  /// `cpu_seconds_per_epoch_std`, `cpu_ratio_to_ew`, `load_average_mean`, `load_differs_from_ew`.
  public func table2CSV() -> String {
    var lines = [
      "dataset,method,options,runs,epochs,seconds_per_epoch_mean,seconds_per_epoch_std,ratio_to_ew,"
        + "cpu_seconds_per_epoch_mean,cpu_seconds_per_epoch_std,cpu_ratio_to_ew,load_average_mean,load_differs_from_ew"
    ]
    for r in timing.rows {
      let fields = [
        r.dataset, r.variant.method, r.variant.options.keys.sorted().map { "\($0)=\(r.variant.options[$0]!)" }.joined(separator: ";"),
        String(r.runCount), String(r.epochCount), ReportFormat.csv(r.secondsPerEpoch?.mean),
        ReportFormat.csv(r.secondsPerEpoch?.standardDeviation), ReportFormat.csv(r.ratioToEqualWeighting),
        ReportFormat.csv(r.cpuSecondsPerEpoch?.mean), ReportFormat.csv(r.cpuSecondsPerEpoch?.standardDeviation),
        ReportFormat.csv(r.cpuRatioToEqualWeighting), ReportFormat.csv(r.loadAverage?.mean), r.loadDiffersFromEqualWeighting ? "true" : "false",
      ]
      lines.append(fields.map(ReportFormat.csvField).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
