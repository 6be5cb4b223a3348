/// A table as text cells, shared by the Markdown, HTML and console forms.
public struct TextGrid: Sendable, Equatable {
  /// Printed above the table.
  public var title: String
  /// Column titles.
  public var header: [String]
  /// One array of cells per row, as many as the header.
  public var rows: [[String]]
  /// Footnotes, numbered from 1; cells refer to them as `[n]`.
  public var notes: [String]
  /// Per column: whether numbers are right-aligned (all but the first column).
  public var rightAligned: [Bool]
  /// Columns to emphasise (the primary tasks' metrics).
  public var highlighted: Set<Int>

  public init(title: String, header: [String], rows: [[String]], notes: [String] = [], highlighted: Set<Int> = []) {
    self.title = title
    self.header = header
    self.rows = rows
    self.notes = notes
    self.rightAligned = header.indices.map { $0 > 0 }
    self.highlighted = highlighted
  }
}

extension ResultsTable {
  /// Method, seeds, each task's main metric (mean ± sample std; `(n=k)` where a cell has a
  /// different number of runs than its row), then each Δm in percent with, in brackets, the mean ±
  /// sample std of the per-seed Δm. Missing values are `— [n]` with footnote n.
  public func textGrid() -> TextGrid {
    let decimals = columns.indices.map { i in
      ReportFormat.decimals(rows.compactMap { $0.cells[i].summary?.mean })
    }
    var header = ["Method", "Seeds"]
    header += columns.map(\.title)
    header += deltaMColumns.map { "\($0.title) %" }
    let body = rows.map { row -> [String] in
      var line = [row.variant.description, row.runCount.map(String.init) ?? "per task"]
      for (i, cell) in row.cells.enumerated() {
        guard let s = cell.summary else {
          line.append("—" + (cell.note.map { " [\($0)]" } ?? ""))
          continue
        }
        var text = ReportFormat.summary(s, decimals[i])
        if row.runCount != s.count { text += " (n=\(s.count))" }
        line.append(text)
      }
      for d in row.deltaM {
        if d.isReference {
          line.append("ref.")
        } else if let v = d.value {
          var text = ReportFormat.percent(v)
          if let p = d.perSeed, let sd = p.standardDeviation {
            text += " (\(ReportFormat.percent(p.mean)) ± \(ReportFormat.fixed(sd, 2)))"
          }
          line.append(text)
        } else {
          line.append("—" + (d.note.map { " [\($0)]" } ?? ""))
        }
      }
      return line
    }
    let highlighted = Set(columns.indices.filter { columns[$0].isPrimary }.map { $0 + 2 })
    return TextGrid(title: title, header: header, rows: body, notes: notes, highlighted: highlighted)
  }
}

extension TimingTable {
  /// Dataset, method, runs, epochs, seconds per epoch (mean ± sample std over runs), ratio to EW
  /// (‡: taken under a different load), CPU seconds per epoch, CPU ratio to EW, load average.
  public func textGrid() -> TextGrid {
    let header = ["Dataset", "Method", "Runs", "Epochs", "Seconds / epoch", "Ratio to EW", "CPU s / epoch", "CPU ratio", "Load"]
    let body = rows.map { r -> [String] in
      [
        r.dataset, r.variant.description, String(r.runCount), String(r.epochCount),
        r.secondsPerEpoch.map { ReportFormat.summary($0, 3) } ?? "—",
        r.ratioToEqualWeighting.map { String(format: "%.2f×", $0) + (r.loadDiffersFromEqualWeighting ? " ‡" : "") } ?? "—",
        r.cpuSecondsPerEpoch.map { ReportFormat.summary($0, 3) } ?? "—",
        r.cpuRatioToEqualWeighting.map { String(format: "%.2f×", $0) } ?? "—",
        r.loadAverage.map { String(format: "%.2f", $0.mean) } ?? "—",
      ]
    }
    var grid = TextGrid(title: "Training time", header: header, rows: body, notes: notes)
    grid.rightAligned = [false, false, true, true, true, true, true, true, true]
    return grid
  }
}
