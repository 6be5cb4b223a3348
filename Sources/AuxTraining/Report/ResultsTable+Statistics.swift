extension ResultsTable {
  /// The Δm column the verdicts speak about: the first (primary, single metric; all tasks when
  /// every task is primary).
  public var headlineColumn: Int? { deltaMColumns.isEmpty ? nil : 0 }

  /// The paired comparisons of every method row: for each Δm column, the mean per-seed
  /// difference against single-task (runs with the same seed) and against EW, with its 95 %
  /// Student-t interval and `*` where the interval excludes 0.
  public func pairedGrid() -> TextGrid {
    var header = ["Method"]
    for c in deltaMColumns { header += ["\(c.title) vs single-task", "\(c.title) vs ew"] }
    let body = rows.filter { !$0.variant.isSingleTask }.map { row -> [String] in
      var line = [row.variant.description]
      for d in row.deltaM {
        line.append(d.versusSingleTask?.text ?? "—")
        line.append(row.variant == MethodVariant(method: "ew", options: [:]) ? "ref." : (d.versusEqualWeighting?.text ?? "—"))
      }
      return line
    }
    return TextGrid(title: "\(title): paired differences over seeds (percent points, 95 % CI)", header: header, rows: body)
  }

  /// One sentence per method on what the headline Δm supports, against single-task and EW.
  ///
  /// `ial: on Δm primary (single metric), better than single-task by +2.10 % [+0.40, +3.80],
  /// significant at 5 % over n=5 paired seeds; no difference from ew detectable at 5 % over n=5
  /// paired seeds (+0.30 % [−1.10, +1.70]).`
  public func verdicts() -> [String] {
    guard let j = headlineColumn else { return [] }
    let column = deltaMColumns[j]
    let ew = MethodVariant(method: "ew", options: [:])
    return rows.filter { !$0.variant.isSingleTask }.map { row in
      let cell = row.deltaM[j]
      var parts = [Self.phrase(cell.versusSingleTask, against: "single-task")]
      if row.variant != ew, rows.contains(where: { $0.variant == ew }) {
        parts.append(Self.phrase(cell.versusEqualWeighting, against: "ew"))
      }
      return "\(row.variant): on \(column.title), \(parts.joined(separator: "; "))."
    }
  }

  static func phrase(_ p: PairedDifference?, against reference: String) -> String {
    guard let p else { return "no paired comparison with \(reference) (no seed in common with its runs)" }
    let seeds = "n=\(p.count) paired seed\(p.count == 1 ? "" : "s")"
    guard let l = p.lower, let u = p.upper else {
      return "\(ReportFormat.percent(p.mean)) % against \(reference) from \(seeds), too few for a confidence interval"
    }
    let interval = "[\(ReportFormat.percent(l)), \(ReportFormat.percent(u))]"
    if p.isSignificant {
      let magnitude = ReportFormat.fixed(abs(p.mean), 2)
      return "\(p.mean > 0 ? "better" : "worse") than \(reference) by \(magnitude) % \(interval), significant at 5 % over \(seeds)"
    }
    return "no difference from \(reference) detectable at 5 % over \(seeds) (\(ReportFormat.percent(p.mean)) % \(interval))"
  }
}
