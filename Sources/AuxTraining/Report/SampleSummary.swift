/// Mean, sample standard deviation, extremes and count of a few numbers (one per seed).
///
/// The standard deviation is the sample one (divisor n − 1, `numpy.std(ddof=1)`,
/// `torch.std(unbiased=True)`), as papers report over seeds; it is nil for fewer than two values.
public struct SampleSummary: Sendable, Equatable {
  /// Number of values (seeds).
  public let count: Int
  /// Arithmetic mean.
  public let mean: Double
  /// Sample standard deviation (n − 1); nil when `count < 2`.
  public let standardDeviation: Double?
  /// Extremes (the band of the plots).
  public let minimum: Double
  public let maximum: Double

  /// Summarises `values`; nil when there are none.
  public init?(_ values: [Double]) {
    guard !values.isEmpty else { return nil }
    count = values.count
    var sum = 0.0
    for v in values { sum += v }
    let m = sum / Double(values.count)
    mean = m
    if values.count > 1 {
      var squares = 0.0
      for v in values { squares += (v - m) * (v - m) }
      standardDeviation = (squares / Double(values.count - 1)).squareRoot()
    } else {
      standardDeviation = nil
    }
    minimum = values.min()!
    maximum = values.max()!
  }
}
