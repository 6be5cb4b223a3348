import ArgumentParser
import AuxTraining
import Foundation

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Tabulate and plot an experiment's runs: Table I (metrics, Δm), Table II (time), HTML plots.",
    discussion: """
      Reads every run folder in the experiment folder (<output>/<experiment>, as written by \
      `auxmtl train` and `auxmtl compare`) and writes, by default into <experiment-folder>/report:

        report.md    Table I and Table II in Markdown, with footnotes
        table1.csv   Table I, one line per method and primary-task set
        table2.csv   Table II (seconds per epoch, ratio to EW)
        report.html  the tables and SVG plots, self-contained (no JavaScript)

      Table I has one block per set of primary tasks. Each task's main metric is shown as \
      mean ± sample std over seeds; Δm is in percent against the single-task runs (method \
      single-task, averaged over their seeds), over the primary task(s) and over all tasks, \
      with one main metric per task ("single metric") and with all of a task's metrics \
      ("per-task mean"); in brackets, the mean ± std of the per-seed Δm. When several tasks \
      have each been the only primary, one more block puts them side by side as the IAL \
      paper's Table I does. A value that cannot be computed (no single-task run, a task not \
      reported) is shown as — with a footnote saying why, never estimated. Runs still \
      running, interrupted or failed are left out and listed.

      The plots: validation curves of each primary task per method (mean over seeds, min–max \
      band) with the single-task curve dashed, training losses, and each method's values over \
      training from steps.jsonl (weight/<task> for every method; for IAL also decoder and \
      encoder weights, gradient-norm ratios and σ, the paper's Fig. 14).

      Several experiment folders that differ in one setting (a noise rate, a fixed weight, a \
      label fraction) make a series instead: for every method, the primary task's main metric \
      at each value (mean ± std over seeds), its paired Δm against the same experiment's \
      single-task runs with the 95 % interval, and a plot of the metric against the setting. \
      --x gives the setting's values in the folders' order (numbers put the plot to scale; \
      default: the folder names), --setting its name. The series is written to --output \
      (default: <parent>/<common name prefix>-series) as series.md, series.csv, series.svg \
      and series.html.

      Examples:
        auxmtl report runs/demo
        auxmtl report runs/nyuv2-ial --output reports/nyuv2
        auxmtl report runs/scenes-noise-0 runs/scenes-noise-0.3 runs/scenes-noise-0.7 --x 0,0.3,0.7 --setting "noise rate"
      """)

  @Argument(help: ArgumentHelp("The experiment folder (the folder holding the run folders); several make a series.", valueName: "experiment-folder"))
  var experiments: [String]

  @Option(help: ArgumentHelp("With several folders: the setting's value for each, comma-separated, in order (default: the folder names).", valueName: "values"))
  var x: String?

  @Option(help: ArgumentHelp("With several folders: the name of the setting they differ in.", valueName: "name"))
  var setting = "setting"

  @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the report files (default: <experiment-folder>/report).", valueName: "dir"))
  var output: String?

  @Flag(name: .long, help: "Write the files without printing the tables.")
  var quiet = false

  func validate() throws {
    if experiments.isEmpty { throw ValidationError("Give an experiment folder (e.g. runs/demo).") }
    if experiments.count == 1 && x != nil { throw ValidationError("--x labels a series: give two or more experiment folders.") }
  }

  func run() throws {
    let folders = experiments.map { URL(fileURLWithPath: $0) }
    if folders.count == 1 {
      try Self.writeReport(experiment: folders[0], output: output.map { URL(fileURLWithPath: $0) }, quiet: quiet)
      return
    }
    let labels = x.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
    let series = try SeriesReport.load(experiments: folders, labels: labels, setting: setting)
    let destination = output.map { URL(fileURLWithPath: $0) } ?? SeriesReport.defaultFolder(for: folders)
    let files = try series.write(to: destination)
    if !quiet { print(series.consoleText()) }
    print("Wrote:")
    for f in files { print("  \(f.path)") }
  }


  /// Builds the report of an experiment folder, writes its files and prints the tables.
  static func writeReport(experiment folder: URL, output: URL?, quiet: Bool = false) throws {
    let report = try ExperimentReport.load(experiment: folder)
    let destination = output ?? folder.appendingPathComponent("report")
    let files = try report.write(to: destination)
    if !quiet { print(report.consoleText()) }
    print("Wrote:")
    for f in files.all { print("  \(f.path)") }
  }
}
