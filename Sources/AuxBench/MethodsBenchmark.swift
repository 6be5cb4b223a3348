import AuxEngine
import AuxMTL
import AuxNN

/// `auxmtl bench methods`: the per-step cost of every registered weighting method as a ratio to
/// equal weighting (EW), measured side by side in one process.
///
/// Every method gets its own copy of the same model (same initial weights) and the same data. After
/// `warmup` interleaved warm-up rounds, each of `rounds` rounds runs one step of every method in a
/// freshly shuffled order; a method's time is the median over rounds, and its ratio is that median
/// over EW's; the same is done for each step's process CPU time (all threads), which a loaded
/// machine disturbs much less than wall time. Interleaving spreads changes in machine load over all methods alike. The transient
/// memory of a step is the peak of live tensor bytes during the step above what was live before
/// it.
public enum MethodsBenchmark {
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
    /// Threads for the engine and BLAS (nil: unchanged).
    public var threads: Int?
    /// Measured rounds (one step of every method each).
    public var rounds = 7
    /// Warm-up rounds.
    public var warmup = 2
    /// The methods to measure (EW is always added); empty means every registered method.
    public var methods: [String] = []
    /// Seed of weights, data, methods and the round order.
    public var seed: UInt64 = 0
    /// The defaults.
    public init() {}

    /// Checks the settings before anything is built.
    ///
    /// - Throws: ``BenchmarkConfigurationError`` naming the setting, e.g. `--rounds must be at
    ///   least 1 …, got 0`, or an unknown method.
    public func validate() throws {
      try BenchmarkChecks.problem(tasks: tasks, batch: batch, size: size, threads: threads)
      try BenchmarkChecks.counts(measured: rounds, name: "rounds", warmup: warmup)
      for m in methods where MethodRegistry.descriptor(named: m) == nil {
        throw BenchmarkConfigurationError("--methods: unknown method '\(m)'; known: \(MethodRegistry.all.map(\.name).joined(separator: ", "))")
      }
    }
  }

  /// One method's figures.
  public struct Row: Sendable {
    /// The method's registry name.
    public var method: String
    /// Its step times over the measured rounds.
    public var timings: TimingSummary
    /// Median step time over EW's median step time.
    public var ratio: Double
    /// Its per-step process CPU times (all threads) over the measured rounds.
    public var cpuTimings: TimingSummary
    /// Median step CPU time over EW's: the robust figure on a loaded machine.
    public var cpuRatio: Double
    /// The largest transient tensor memory of one step, in bytes.
    public var stepPeakBytes: Int
    /// That over EW's.
    public var memoryRatio: Double
  }

  /// Runs the benchmark; `progress` receives a line after each round.
  public static func run(_ c: Configuration, progress: (String) -> Void = { _ in }) throws -> [Row] {
    try c.validate()
    try StepBenchmark.setThreads(c.threads)
    var names = c.methods.isEmpty ? MethodRegistry.all.map(\.name) : c.methods
    names.removeAll { $0 == "ew" }
    names.insert("ew", at: 0)
    var runners: [BenchmarkStepRunner] = []
    for name in names {
      let problem = BenchmarkProblem(model: c.model, tasks: c.tasks, batch: c.batch, size: c.size, seed: c.seed)
      runners.append(try BenchmarkStepRunner(problem: problem, method: name, seed: c.seed))
    }
    var times = [[Double]](repeating: [], count: names.count)
    var cpu = [[Double]](repeating: [], count: names.count)
    var peaks = [Int](repeating: 0, count: names.count)
    var rng = RandomGenerator(seed: c.seed &+ 7)
    for round in 0..<(c.warmup + c.rounds) {
      var order = Array(names.indices)
      rng.shuffle(&order)
      for i in order {
        let before = StorageCache.shared.liveBytes
        StorageCache.shared.resetPeak()
        let cpuBefore = processCPUMilliseconds()
        let ms = try milliseconds { try runners[i].step() }
        let cpuMs = processCPUMilliseconds() - cpuBefore
        if round >= c.warmup {
          times[i].append(ms)
          cpu[i].append(cpuMs)
          peaks[i] = Swift.max(peaks[i], StorageCache.shared.peakLiveBytes - before)
        }
      }
      progress(round < c.warmup ? "warm-up round \(round + 1)/\(c.warmup)" : "round \(round - c.warmup + 1)/\(c.rounds)")
    }
    let ew = TimingSummary(times[0]).median
    let ewCPU = TimingSummary(cpu[0]).median
    let ewPeak = Double(Swift.max(peaks[0], 1))
    return names.indices.map { i in
      let s = TimingSummary(times[i])
      let cs = TimingSummary(cpu[i])
      return Row(
        method: names[i], timings: s, ratio: s.median / ew, cpuTimings: cs, cpuRatio: cs.median / Swift.max(ewCPU, 1e-9),
        stepPeakBytes: peaks[i], memoryRatio: Double(peaks[i]) / ewPeak)
    }
  }
}
