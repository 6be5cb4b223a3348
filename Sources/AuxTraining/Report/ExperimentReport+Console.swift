extension ExperimentReport {
  /// The tables for a terminal: every Table I, the training-time table and the runs left out.
  public func consoleText() -> String {
    var out = "Experiment \(name): \(summaryLine)\n\n"
    for t in tables {
      out += ConsoleTable(t.textGrid()).render() + "\n"
      out += ConsoleTable(t.pairedGrid()).render() + "\n"
      for v in t.verdicts() { out += "  \(v)\n" }
      out += "\n"
    }
    if !ranks.rows.isEmpty { out += ConsoleTable(ranks.textGrid()).render() + "\n" }
    out += ConsoleTable(timing.textGrid()).render()
    if !runs.excluded.isEmpty { out += "\n" + ConsoleTable(excludedGrid).render() }
    for w in runs.warnings { out += "\nwarning: \(w)" }
    return out
  }
}
