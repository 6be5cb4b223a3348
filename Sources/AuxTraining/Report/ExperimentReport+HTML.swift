extension ExperimentReport {
  /// `report.html`: a self-contained XHTML page (well-formed XML, inline CSS, inline SVG plots;
  /// no JavaScript and no external resource) with the tables, their footnotes, the runs left out,
  /// the learning curves and the methods' values over training.
  public func html() -> String {
    let e = XMLEscaping.escape
    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
      <head>
      <meta charset="UTF-8"/>
      <title>auxmtl report: \(e(name))</title>
      <style>
      body { font-family: sans-serif; margin: 2em auto; max-width: 1400px; padding: 0 1em; color: #1a1a1a; }
      table { border-collapse: collapse; margin: 0.5em 0 0.5em 0; font-size: 0.9em; }
      th, td { border: 1px solid #c8c8c8; padding: 0.25em 0.6em; }
      th { background: #f0f0f0; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      th.primary, td.primary { background: #eef5fb; }
      tr.baseline td { color: #444444; font-style: italic; }
      ol.notes { font-size: 0.85em; color: #444444; }
      p.legend { font-size: 0.85em; color: #444444; max-width: 70em; }
      div.plots { display: flex; flex-wrap: wrap; gap: 1em; }
      figure { margin: 0; }
      </style>
      </head>
      <body>
      <h1>Experiment report: \(e(name))</h1>
      <p>\(e(summaryLine))</p>
      <h2>Table I: task metrics and Δm</h2>
      <p class="legend">\(e(Self.legend))</p>

      """
    if tables.isEmpty { out += "<p>No finished run to tabulate.</p>\n" }
    for t in tables {
      out += Self.htmlTable(t.textGrid(), heading: "h3", baselineRows: [0])
      out += "<p class=\"legend\">Paired differences over seeds (percent points, 95 % CI; * significant at 5 %):</p>\n"
      out += Self.htmlTable(t.pairedGrid(), heading: nil, baselineRows: [])
      let verdicts = t.verdicts()
      if !verdicts.isEmpty {
        out += "<ul class=\"verdicts\">\n"
        for v in verdicts { out += "<li>\(e(v))</li>\n" }
        out += "</ul>\n"
      }
    }
    if !ranks.rows.isEmpty { out += Self.htmlTable(ranks.textGrid(), heading: "h3", baselineRows: []) }
    out += "<h2>Table II: training time</h2>\n<p class=\"legend\">Seconds per training epoch (no evaluation), mean ± sample std over runs; ratio to the mean of EW (ew).; beside it the process's CPU seconds per epoch (every thread), its ratio to EW's, and the 1-minute load average the epochs ran under. ‡ marks a wall-time ratio taken under a load very different from EW's.</p>\n"
    out += Self.htmlTable(timing.textGrid(), heading: nil, baselineRows: [])
    if !runs.excluded.isEmpty {
      out += "<h2>Runs left out</h2>\n<p class=\"legend\">Only finished runs with final metrics enter the tables.</p>\n"
      out += Self.htmlTable(excludedGrid, heading: nil, baselineRows: [])
    }
    if !runs.warnings.isEmpty {
      out += "<h2>Warnings</h2>\n<ul>\n" + runs.warnings.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
    }
    if !figures.sections.isEmpty { out += "<h2>Plots</h2>\n" }
    for section in figures.sections {
      out += "<h3>\(e(section.title))</h3>\n"
      for n in section.notes { out += "<p class=\"legend\">\(e(n))</p>\n" }
      if !section.plots.isEmpty {
        out += "<div class=\"plots\">\n"
        for p in section.plots { out += "<figure>\n\(p.svg())\n</figure>\n" }
        out += "</div>\n"
      }
    }
    out += "</body>\n</html>\n"
    return out
  }

  static func htmlTable(_ g: TextGrid, heading: String?, baselineRows: Set<Int>) -> String {
    let e = XMLEscaping.escape
    var out = heading.map { "<\($0)>\(e(g.title))</\($0)>\n" } ?? ""
    func cls(_ i: Int) -> String {
      var c: [String] = []
      if i < g.rightAligned.count && g.rightAligned[i] { c.append("num") }
      if g.highlighted.contains(i) { c.append("primary") }
      return c.isEmpty ? "" : " class=\"\(c.joined(separator: " "))\""
    }
    out += "<table>\n<thead><tr>"
    for (i, h) in g.header.enumerated() { out += "<th\(g.highlighted.contains(i) ? " class=\"primary\"" : "")>\(e(h))</th>" }
    out += "</tr></thead>\n<tbody>\n"
    for (r, row) in g.rows.enumerated() {
      out += baselineRows.contains(r) ? "<tr class=\"baseline\">" : "<tr>"
      for (i, c) in row.enumerated() { out += "<td\(cls(i))>\(e(c))</td>" }
      out += "</tr>\n"
    }
    out += "</tbody>\n</table>\n"
    if !g.notes.isEmpty {
      out += "<ol class=\"notes\">\n"
      for n in g.notes { out += "<li>\(e(n))</li>\n" }
      out += "</ol>\n"
    }
    return out
  }
}
