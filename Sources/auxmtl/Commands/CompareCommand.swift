import ArgumentParser
import AuxTraining
import Foundation

struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Run methods × primary tasks × seeds (plus single-task baselines), resumably, then report.",
    discussion: """
      Runs one training per (method, choice of primary task, seed) from a base config, after the \
      single-task baselines that Δm needs. Runs already finished in the experiment folder are \
      reused; an interrupted run resumes; rerunning the same command after Ctrl-C continues where it \
      stopped. At the end it writes the report (see `auxmtl report`).

      Example:
        auxmtl compare --config configs/scenes-quick.yaml --methods ial,ew,uw,pcgrad \\
          --primary semantic --primary depth --seeds 0,1,2
      """)

  @Option(name: .shortAndLong, help: "Base YAML config.") var config: String?
  @Option(name: .customLong("set"), help: ArgumentHelp("Override a base-config field (repeatable).", valueName: "key=value"))
  var overrides: [String] = []
  @Option(help: "Comma-separated method names (see `auxmtl methods`).") var methods = "ial,ew,uw"
  @Option(help: "A choice of primary task(s), comma-separated; repeat for several choices; 'all' for the multi-task setting.")
  var primary: [String] = []
  @Option(help: "Comma-separated seeds.") var seeds = "0,1,2"
  @Flag(help: "Skip the single-task baselines (Δm is then not computed).") var noBaselines = false

  func run() throws {
    let base = try TrainConfig.load(file: config.map { URL(fileURLWithPath: $0) }, overrides: overrides, note: { print("note: \($0)") })
    let methodList = methods.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let seedList = try seeds.split(separator: ",").map { s -> UInt64 in
      guard let v = UInt64(s.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--seeds: '\(s)' is not a non-negative integer") }
      return v
    }
    let primaries = primary.isEmpty ? [base.tasks.primary] : primary.map { $0.split(separator: ",").map(String.init) }
    let plan = ExperimentPlan(base: base, methods: methodList, primaries: primaries, seeds: seedList, singleTaskBaselines: !noBaselines)
    for line in plan.notes { print("note: \(line)") }
    try CLISupport.applyThreads(base)
    Interrupt.install()
    try CLISupport.runExperiment(plan)
  }
}
