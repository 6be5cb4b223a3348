import ArgumentParser
import AuxBench
import AuxEngine
import AuxMTL
import Foundation

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure training-step speed and memory (compare with scripts/bench/torch_step.py).",
    subcommands: [BenchStepCommand.self, BenchMethodsCommand.self])
}

/// Options shared by the bench commands.
struct BenchModelOptions: ParsableArguments {
  @Option(help: "Network: ref (reference CNN + light heads), resnet18 (dilated OS8 + light heads), resnet50 (dilated OS8 + DeepLab heads).")
  var model: String = "ref"
  @Option(help: "Number of tasks (heads cycle over segmentation 7, depth 1, normals 3; task 0 is primary).") var tasks = 3
  @Option(help: "Images per batch.") var batch = 16
  @Option(help: "Image height and width.") var size = 64
  @Option(help: "Threads for the engine's kernels and BLAS (default: leave the current settings).") var threads: Int?
  @Option(help: "Seed of the weights and the data.") var seed: UInt64 = 0
  @Option(help: "Winograd F(2×2,3×3) for 3×3 stride-1 convolutions: on (default) or off (im2col + sgemm everywhere).")
  var winograd: String = "on"

  /// Fills the fields both benchmarks share and applies the convolution-algorithm setting to the
  /// engine.
  func configure<C: BenchmarkSetup>(_ c: inout C) throws {
    c.model = try benchmarkModel()
    c.tasks = tasks
    c.batch = batch
    c.size = size
    c.threads = threads
    c.seed = seed
    ConvKernels.winogradEnabled = winograd == "on"
  }

  func benchmarkModel() throws -> BenchmarkModel {
    guard let m = BenchmarkModel(rawValue: model) else {
      throw ValidationError("unknown --model '\(model)'; choose one of \(BenchmarkModel.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return m
  }

  /// Checks the options this group alone decides; the counts are checked by each benchmark's
  /// `Configuration.validate()` (see ``usageChecked(_:)``).
  func validate() throws {
    _ = try benchmarkModel()
    guard ["on", "off"].contains(winograd) else { throw ValidationError("--winograd must be on or off, got '\(winograd)'") }
  }
}

/// Runs a benchmark configuration's checks as argument validation, so that a bad count
/// (`--steps 0`) is a usage error (exit 64 with the usage line), not a failure after start-up.
func usageChecked(_ check: () throws -> Void) throws {
  do {
    try check()
  } catch let e as BenchmarkConfigurationError {
    throw ValidationError(e.message)
  }
}

/// The fields the step and methods benchmarks' configurations share.
protocol BenchmarkSetup {
  var model: BenchmarkModel { get set }
  var tasks: Int { get set }
  var batch: Int { get set }
  var size: Int { get set }
  var threads: Int? { get set }
  var seed: UInt64 { get set }
}

extension StepBenchmark.Configuration: BenchmarkSetup {}
extension MethodsBenchmark.Configuration: BenchmarkSetup {}

func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

struct BenchStepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "step",
    abstract: "Time training steps of a benchmark network on fixed random data.",
    discussion: """
      Trains the chosen network (Adam, lr 1e-3; losses cross-entropy, L1 and 1 − cosine) for \
      --warmup + --steps steps under a weighting method and prints the step time (median, p10, \
      p90), the peak memory held by tensors and the process's peak resident size, and the effective \
      GFLOP/s: forward multiply–accumulates of convolutions and matrix products counted from the \
      shapes, 2 FLOPs each, ×3 for forward + backward, over the median step time.

      The PyTorch twin runs the same model: python3 scripts/bench/torch_step.py --model … Run both \
      on the same machine, at the same time of day, and compare ratios; the machine's load average \
      is printed before and after.
      """)

  @OptionGroup var setup: BenchModelOptions
  @Option(help: "Measured steps.") var steps = 30
  @Option(help: "Warm-up steps (not measured).") var warmup = 5
  @Option(help: "Weighting method (see the registry; ew = equal weighting).") var method = "ew"
  @Option(name: .customLong("option"), help: "A method option as key=value (repeatable).") var options: [String] = []

  func configuration() throws -> StepBenchmark.Configuration {
    var c = StepBenchmark.Configuration()
    try setup.configure(&c)
    c.steps = steps
    c.warmup = warmup
    c.method = method
    for o in options {
      let parts = o.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2 else { throw ValidationError("--option must be key=value, got '\(o)'") }
      c.options[parts[0]] = parts[1]
    }
    return c
  }

  func validate() throws {
    try usageChecked { try configuration().validate() }
  }

  func run() throws {
    let c = try configuration()
    print("auxmtl bench step: model \(c.model.rawValue), tasks \(c.tasks), method \(c.method), batch \(c.batch), size \(c.size), \(c.steps) steps after \(c.warmup) warm-up")
    print("load average before: \(ProcessStatistics.loadAverageText)")
    let r = try StepBenchmark.run(c)
    print("threads: engine \(r.engineThreads), BLAS \(r.blasThreads) (\(BLAS.coreName))")
    print(String(format: "ms/step %.2f (p10 %.2f p90 %.2f)", r.timings.median, r.timings.p10, r.timings.p90))
    print(String(format: "forward MACs per step %.3f G (convolutions and matrix products); training ≈ 3 × 2 × MACs = %.2f GFLOP", Double(r.forwardMACs) / 1e9, 6 * Double(r.forwardMACs) / 1e9))
    print(String(format: "effective GFLOP/s %.1f", r.effectiveGFLOPs))
    print("peak tensor memory \(mebibytes(r.peakTensorBytes)); peak resident size \(r.peakResidentBytes.map(mebibytes) ?? "unavailable")")
    print("load average after: \(ProcessStatistics.loadAverageText)")
  }
}

struct BenchMethodsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "methods",
    abstract: "Per-step cost of every weighting method as a ratio to equal weighting, side by side.",
    discussion: """
      Builds one copy of the benchmark network per method (same weights, same data) and runs \
      interleaved rounds: each round takes one step of every method in a shuffled order. A method's \
      time is its median over the rounds; the table gives it as a ratio to EW's median, the same for \
      the step's process CPU time (steadier than wall time when other programs load the machine), \
      and the transient tensor memory of a step as a ratio too. Methods that re-evaluate losses (Auto-Lambda, \
      FAMO, …) get a second batch and the optimiser.
      """)

  @OptionGroup var setup: BenchModelOptions
  @Option(help: "Measured rounds.") var rounds = 7
  @Option(help: "Warm-up rounds.") var warmup = 2
  @Option(help: "Comma-separated methods (default: all registered).") var methods: String?

  func configuration() throws -> MethodsBenchmark.Configuration {
    var c = MethodsBenchmark.Configuration()
    try setup.configure(&c)
    c.rounds = rounds
    c.warmup = warmup
    if let methods { c.methods = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    return c
  }

  func validate() throws {
    try usageChecked { try configuration().validate() }
  }

  func run() throws {
    let c = try configuration()
    print("auxmtl bench methods: model \(c.model.rawValue), tasks \(c.tasks), batch \(c.batch), size \(c.size), \(c.rounds) rounds after \(c.warmup) warm-up")
    print("load average before: \(ProcessStatistics.loadAverageText)")
    let rows = try MethodsBenchmark.run(c) { line in
      FileHandle.standardError.write(Data("  \(line)\n".utf8))
    }
    print("threads: engine \(Parallel.threadCount), BLAS \(BLAS.threadCount)")
    print("method                 ms/step   (p10 – p90)          ratio to EW   CPU ms/step   CPU ratio   step memory   ratio")
    for r in rows.sorted(by: { $0.ratio < $1.ratio }) {
      let memory = mebibytes(r.stepPeakBytes)
      print(
        r.method.padding(toLength: 20, withPad: " ", startingAt: 0)
          + String(format: "%10.1f   (%7.1f – %7.1f)   %8.2f      ", r.timings.median, r.timings.p10, r.timings.p90, r.ratio)
          + String(format: "%8.1f   %9.2f      ", r.cpuTimings.median, r.cpuRatio)
          + String(repeating: " ", count: Swift.max(0, 10 - memory.count)) + memory
          + String(format: "   %6.2f", r.memoryRatio))
    }
    print("load average after: \(ProcessStatistics.loadAverageText)")
  }
}
