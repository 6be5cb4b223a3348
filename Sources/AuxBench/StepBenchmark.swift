import AuxEngine
import AuxMTL
import AuxNN

/// `auxmtl bench step`: times training steps of a benchmark model under one weighting method.
///
/// Reports the median, 10th and 90th percentile of the step time, the peak of the memory held by
/// live tensors during the measured steps (``StorageCache/peakLiveBytes``) and the process's peak
/// resident size, and the effective throughput: forward multiply–accumulates of convolutions and
/// matrix products counted analytically (``MACCounting``), `2` FLOPs each, times 3 for forward plus
/// backward (input and weight gradients), divided by the median step time. The factor 3 is the
/// usual approximation: the first convolution computes no input gradient, and batch norm,
/// activations, resizing, losses and the optimiser are not counted.
public enum StepBenchmark {
  /// What to measure (the defaults are the CLI's).
  public struct Configuration: Sendable {
    /// The network.
    public var model: BenchmarkModel = .ref
    /// Number of tasks (task 0 primary).
    public var tasks = 3
    /// Images per batch.
    public var batch = 16
    /// Image height and width.
    public var size = 64
    /// Threads for the engine's kernels and for BLAS (nil: leave the current settings).
    public var threads: Int?
    /// Measured steps.
    public var steps = 30
    /// Warm-up steps.
    public var warmup = 5
    /// The weighting method's registry name.
    public var method = "ew"
    /// The method's options.
    public var options: [String: String] = [:]
    /// Seed of weights, data and method.
    public var seed: UInt64 = 0
    /// The defaults.
    public init() {}

    /// Checks the settings before anything is built.
    ///
    /// - Throws: ``BenchmarkConfigurationError`` naming the setting, e.g. `--steps must be at
    ///   least 1 …, got 0`, or an unknown method.
    public func validate() throws {
      try BenchmarkChecks.problem(tasks: tasks, batch: batch, size: size, threads: threads)
      try BenchmarkChecks.counts(measured: steps, name: "steps", warmup: warmup)
      guard MethodRegistry.descriptor(named: method) != nil else {
        throw BenchmarkConfigurationError("--method: unknown method '\(method)'; known: \(MethodRegistry.all.map(\.name).joined(separator: ", "))")
      }
    }
  }

  /// The measured figures.
  public struct Result: Sendable {
    /// Step times of the measured steps.
    public var timings: TimingSummary
    /// Forward multiply–accumulates of one step (the whole batch).
    public var forwardMACs: Int
    /// `3 · 2 · forwardMACs / median`, in GFLOP/s.
    public var effectiveGFLOPs: Double
    /// Peak bytes held by live tensors during the measured steps.
    public var peakTensorBytes: Int
    /// The process's peak resident size, if known.
    public var peakResidentBytes: Int?
    /// Threads of the engine's kernels during the run.
    public var engineThreads: Int
    /// BLAS threads during the run.
    public var blasThreads: Int
  }

  /// Applies a thread count to the engine and to BLAS.
  ///
  /// - Throws: ``BenchmarkConfigurationError`` when `n` is below 1.
  public static func setThreads(_ n: Int?) throws {
    guard let n else { return }
    guard n > 0 else { throw BenchmarkConfigurationError("--threads must be at least 1, got \(n)") }
    Parallel.threadCount = n
    BLAS.threadCount = n
  }

  /// Builds the problem, warms up, and measures.
  ///
  /// - Throws: ``BenchmarkConfigurationError`` for settings that cannot be measured (see
  ///   ``Configuration/validate()``), before anything is built.
  public static func run(_ c: Configuration) throws -> Result {
    try c.validate()
    try setThreads(c.threads)
    let problem = BenchmarkProblem(model: c.model, tasks: c.tasks, batch: c.batch, size: c.size, seed: c.seed)
    let runner = try BenchmarkStepRunner(problem: problem, method: c.method, options: c.options, seed: c.seed)
    for _ in 0..<c.warmup { try runner.step() }
    StorageCache.shared.resetPeak()
    var times: [Double] = []
    for _ in 0..<c.steps { times.append(try milliseconds { try runner.step() }) }
    let summary = TimingSummary(times)
    let macs = problem.model.forwardCost(input: problem.input.shape).macs
    return Result(
      timings: summary, forwardMACs: macs, effectiveGFLOPs: 6 * Double(macs) / (summary.median * 1e6),
      peakTensorBytes: StorageCache.shared.peakLiveBytes, peakResidentBytes: ProcessStatistics.residentBytes()?.peak,
      engineThreads: Parallel.threadCount, blasThreads: BLAS.threadCount)
  }
}
