import ArgumentParser
import AuxTraining
import Foundation

struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Compare IAL with EW, UW, Auto-Lambda and GCS on the generated scenes benchmark, then report.",
    discussion: """
      With no arguments and no downloads: generates the `scenes` benchmark (64×64 rendered rooms with \
      semantic, depth, normal and edge labels), trains the reference CNN with `semantic` as the \
      primary task and depth, normals and edges as auxiliary tasks, once per method and seed, plus \
      single-task `semantic` baselines, and writes the report (Table I with Δm, Table II with \
      seconds per epoch, HTML with learning curves and the methods' weights over training) to \
      runs/demo/report.

      It takes about ten minutes on two cores. Ctrl-C stops after the current step; running \
      `auxmtl demo` again continues where it stopped and reuses finished runs.
      """)

  @Option(help: "Comma-separated methods.") var methods = "ial,ew,uw,auto-lambda,gcs"
  @Option(help: "Comma-separated seeds.") var seeds = "0,1,2"
  @Option(help: "Output root (the experiment goes to <output>/demo).") var output = "runs"
  @Option(help: "Epochs per run.") var epochs = 4
  @Option(help: "Training scenes per epoch.") var trainSamples = 400
  @Option(help: "Image side of the generated scenes (32…256).") var size = 64
  @Flag(help: "A one-minute version (fewer scenes, epochs and seeds) to check that everything works.") var quick = false

  /// The demo's base configuration.
  static func baseConfig(output: String, epochs: Int, trainSamples: Int, size: Int) -> TrainConfig {
    var c = TrainConfig()
    c.experiment = "demo"
    c.output = output
    c.dataset.name = "scenes"
    c.dataset.size = size
    c.dataset.trainSamples = trainSamples
    c.dataset.validationSamples = 200
    c.dataset.testSamples = 400
    c.tasks.primary = ["semantic"]
    c.tasks.auxiliary = ["depth", "normal", "edge"]
    c.tasks.mainMetric = ["edge": "F"]
    c.model.encoder = "refcnn"
    c.model.head = "light"
    c.optimizer.name = "adam"
    c.optimizer.learningRate = 1e-3
    c.schedule.name = "cosine"
    c.training.epochs = epochs
    c.training.batchSize = 16
    c.training.logEvery = 5
    return c
  }

  func run() throws {
    var base = Self.baseConfig(output: output, epochs: quick ? 2 : epochs, trainSamples: quick ? 96 : trainSamples, size: quick ? 32 : size)
    if quick {
      base.experiment = "demo-quick"
      base.dataset.validationSamples = 32
      base.dataset.testSamples = 64
    }
    try base.validate()
    let methodList = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let seedList = try (quick ? "0" : seeds).split(separator: ",").map { s -> UInt64 in
      guard let v = UInt64(s) else { throw ValidationError("--seeds: '\(s)' is not a non-negative integer") }
      return v
    }
    let plan = ExperimentPlan(base: base, methods: methodList, primaries: [["semantic"]], seeds: seedList)
    print("auxmtl demo: \(plan.methods.joined(separator: ", ")) × seeds \(seedList.map(String.init).joined(separator: ",")) on scenes \(base.dataset.size)×\(base.dataset.size), primary semantic; runs in \(output)/\(base.experiment)")
    try CLISupport.applyThreads(base)
    Interrupt.install()
    try CLISupport.runExperiment(plan)
  }
}
