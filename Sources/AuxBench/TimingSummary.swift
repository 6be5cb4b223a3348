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
