import ArgumentParser
import AuxTraining
import Foundation

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train one run from a YAML config, with command-line overrides.",
    discussion: """
      Every setting has a default, so `auxmtl train` alone trains IAL on the generated `scenes`
      benchmark with `semantic` primary. A config file (see configs/ for presets) and --set
      overrides change any field; unknown keys and bad values are refused with the allowed values.

      Examples:
        auxmtl train --config configs/scenes-quick.yaml
        auxmtl train --set method.name=uw --set training.epochs=20 --set tasks.primary=depth
        auxmtl train --config my.yaml --resume        # continue an interrupted run

      --resume refuses a configuration that differs from the run's own in a key that changes
      training (learning rate, batch, epochs, method, model, data, …), naming the keys;
      --allow-config-change continues anyway and records both configurations in run.json.

      The run folder (<output>/<experiment>/<method>-<primary>-s<seed>/) receives the resolved
      config.yaml, run.json, metrics.jsonl, steps.jsonl (the method's weights), TensorBoard event
      files, best.safetensors and checkpoint.safetensors. Ctrl-C stops after the current step and
      keeps the run resumable.
      """)

  @Option(name: .shortAndLong, help: "A YAML config file (snake_case keys; see configs/).")
  var config: String?

  @Option(name: .customLong("set"), help: ArgumentHelp("Override a field, e.g. --set optimizer.learning_rate=1e-4 (repeatable).", valueName: "key=value"))
  var overrides: [String] = []

  @Flag(help: "Continue the run from its last checkpoint instead of starting over.")
  var resume = false

  @Flag(help: "With --resume: continue even if the configuration changed (run.json records the change).")
  var allowConfigChange = false

  @Option(help: "Override the output root folder (same as --set output=...).")
  var output: String?

  func validate() throws {
    guard resume || !allowConfigChange else { throw ValidationError("--allow-config-change only applies with --resume") }
  }

  func run() throws {
    var all = overrides
    if let output { all.append("output=\(output)") }
    let cfg = try TrainConfig.load(file: config.map { URL(fileURLWithPath: $0) }, overrides: all, note: { print("note: \($0)") })
    try CLISupport.applyThreads(cfg)
    Interrupt.install()
    let trainer = try RunBuilder.makeTrainer(cfg, resolvedConfigText: cfg.yaml(), networks: StandardNetworks.factory)
    print("run: \(trainer.folder.url.path)")
    print("tasks: " + trainer.objectives.map { "\($0.name) (\($0.role.rawValue))" }.joined(separator: ", ") + " · method: \(cfg.method.name)")
    let record = try trainer.run(resume: resume, allowConfigChange: allowConfigChange, progress: ProgressBar(), shouldStop: { Interrupt.isRequested })
    if record.status != .finished { throw ExitCode(130) }
    CLISupport.printFinalMetrics(record)
  }
}
