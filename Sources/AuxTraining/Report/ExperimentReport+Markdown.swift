extension ExperimentReport {
  /// `report.md`: the tables as GitHub-flavoured Markdown, with footnotes and the runs left out.
  public func markdown() -> String {
    var out = "# Experiment report: \(name)\n\n\(summaryLine) Plots: [report.html](report.html).\n\n"
    out += "## Table I: task metrics and Δm\n\n\(Self.legend)\n\n"
    if tables.isEmpty { out += "No finished run to tabulate.\n\n" }
    for t in tables {
      out += Self.markdownTable(t.textGrid(), level: 3)
      out += Self.markdownTable(t.pairedGrid(), level: nil, caption: "Paired differences over seeds (percent points, 95 % CI; * significant at 5 %):")
      for v in t.verdicts() { out += "- \(Self.markdownCell(v))\n" }
      out += "\n"
    }
    if !ranks.rows.isEmpty { out += Self.markdownTable(ranks.textGrid(), level: 3) }
    out += "## Table II: training time\n\nSeconds per training epoch (no evaluation), mean ± sample std over runs; ratio to the mean of EW (`ew`).; beside it the process's CPU seconds per epoch (every thread), its ratio to EW's, and the 1-minute load average the epochs ran under. ‡ marks a wall-time ratio taken under a load very different from EW's.\n\n"
    out += Self.markdownTable(timing.textGrid(), level: nil)
    if !runs.excluded.isEmpty {
      out += "## Runs left out\n\nOnly finished runs with final metrics enter the tables.\n\n"
      out += Self.markdownTable(excludedGrid, level: nil)
    }
    if !runs.warnings.isEmpty {
      out += "## Warnings\n\n" + runs.warnings.map { "- \(Self.markdownCell($0))\n" }.joined() + "\n"
    }
    return out
  }

  static func markdownCell(_ s: String) -> String {
    s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
  }

  static func markdownTable(_ g: TextGrid, level: Int?, caption: String? = nil) -> String {
    var out = level.map { String(repeating: "#", count: $0) + " \(g.title)\n\n" } ?? ""
    if let caption { out += "\(caption)\n\n" }
    out += "| " + g.header.map(markdownCell).joined(separator: " | ") + " |\n"
    out += "|" + g.header.indices.map { i in i < g.rightAligned.count && g.rightAligned[i] ? " ---: |" : " --- |" }.joined() + "\n"
    for row in g.rows { out += "| " + row.map(markdownCell).joined(separator: " | ") + " |\n" }
    if !g.notes.isEmpty {
      out += "\n"
      for (i, n) in g.notes.enumerated() { out += "[\(i + 1)] \(markdownCell(n))  \n" }
    }
    return out + "\n"
  }
}
