extension ExperimentReport {
  /// The tables for a terminal: every Table I, the training-time table and the runs left out.
  public func consoleText() -> String {
    var out = "Experiment \(name): \(summaryLine)\n\n"
    for t in tables { out += ConsoleTable(t.textGrid()).render() + "\n" }
    out += ConsoleTable(timing.textGrid()).render()
    if !runs.excluded.isEmpty { out += "\n" + ConsoleTable(excludedGrid).render() }
    return out
  }
}
