/// A benchmark configuration that cannot be measured: a count that is zero or negative, too few
/// tasks or images for the benchmark network, an unknown method.
///
/// The message names the setting (as the CLI spells it), what it must be and what was found, e.g.
/// `--steps must be at least 1, got 0`.
public struct BenchmarkConfigurationError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Checks shared by the step and methods benchmarks.
enum BenchmarkChecks {
  /// Throws for settings the benchmark problem cannot be built with.
  static func problem(tasks: Int, batch: Int, size: Int, threads: Int?) throws {
    guard tasks >= 2 else { throw BenchmarkConfigurationError("--tasks must be at least 2 (one primary, one auxiliary), got \(tasks)") }
    guard batch >= 2 else { throw BenchmarkConfigurationError("--batch must be at least 2 (batch norm in training mode), got \(batch)") }
    guard size >= 8 else { throw BenchmarkConfigurationError("--size must be at least 8, got \(size)") }
    if let threads, threads < 1 { throw BenchmarkConfigurationError("--threads must be at least 1, got \(threads)") }
  }

  /// Throws unless `measured ≥ 1` and `warmup ≥ 0`.
  static func counts(measured: Int, name: String, warmup: Int) throws {
    guard measured >= 1 else { throw BenchmarkConfigurationError("--\(name) must be at least 1 (a median needs a measurement), got \(measured)") }
    guard warmup >= 0 else { throw BenchmarkConfigurationError("--warmup must be 0 or more, got \(warmup)") }
  }
}
