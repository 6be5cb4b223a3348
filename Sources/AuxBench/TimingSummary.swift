#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Order statistics of a set of timings.
public struct TimingSummary: Sendable, Equatable {
  /// The samples in milliseconds, sorted.
  public let sorted: [Double]

  /// A summary of `samples` (milliseconds, at least one).
  public init(_ samples: [Double]) {
    precondition(!samples.isEmpty, "TimingSummary: no samples")
    sorted = samples.sorted()
  }

  /// The `p`-quantile (nearest rank below: `sorted[min(n − 1, ⌊p · n⌋)]`, as torch_step.py).
  public func quantile(_ p: Double) -> Double { sorted[Swift.min(sorted.count - 1, Int(p * Double(sorted.count)))] }
  /// The median (`quantile(0.5)`).
  public var median: Double { quantile(0.5) }
  /// The 10th percentile.
  public var p10: Double { quantile(0.1) }
  /// The 90th percentile.
  public var p90: Double { quantile(0.9) }
}

/// Milliseconds taken by `body`.
func milliseconds(_ body: () throws -> Void) rethrows -> Double {
  let clock = ContinuousClock()
  let start = clock.now
  try body()
  let d = clock.now - start
  return Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
}

/// CPU milliseconds used by the whole process so far (all threads; `CLOCK_PROCESS_CPUTIME_ID`).
///
/// On a shared machine a step's wall time grows with the other processes' load; its CPU time
/// does not (much), so the methods benchmark reports both.
func processCPUMilliseconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) * 1e-6
}
