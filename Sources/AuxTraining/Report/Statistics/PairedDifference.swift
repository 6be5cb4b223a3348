/// The mean of paired differences (one per seed: a method's value minus the reference's value
/// with the same seed) with its two-sided 95 % Student-t confidence interval.
///
/// With n differences d₁…dₙ, mean d̄ and sample standard deviation s (n − 1), the interval is
/// `d̄ ± t₀.₉₇₅,ₙ₋₁ · s / √n` (the paired t-test, `scipy.stats.ttest_rel`); the difference is
/// significant at 5 % when the interval excludes 0. With one pair there is no interval and
/// nothing is significant.
public struct PairedDifference: Sendable, Equatable {
  /// Number of pairs (seeds both sides share).
  public let count: Int
  /// Mean difference.
  public let mean: Double
  /// Sample standard deviation of the differences; nil for one pair.
  public let standardDeviation: Double?
  /// The 95 % confidence interval; nil for one pair.
  public let lower: Double?
  public let upper: Double?
  /// The seeds paired, in increasing order.
  public let seeds: [UInt64]

  /// The two-sided confidence level of ``lower`` / ``upper``.
  public static let confidence = 0.95

  /// Pairs the seeds `values` and `reference` share; nil when they share none.
  public init?(_ values: [UInt64: Double], minus reference: [UInt64: Double]) {
    let seeds = values.keys.filter { reference[$0] != nil }.sorted()
    self.init(differences: seeds.map { values[$0]! - reference[$0]! }, seeds: seeds)
  }

  /// The statistics of differences already formed; nil when there are none.
  public init?(differences: [Double], seeds: [UInt64]) {
    guard let s = SampleSummary(differences) else { return nil }
    count = s.count
    mean = s.mean
    standardDeviation = s.standardDeviation
    self.seeds = seeds
    if let sd = s.standardDeviation {
      let t = StudentT.quantile(1 - (1 - Self.confidence) / 2, degreesOfFreedom: Double(s.count - 1))
      let half = t * sd / Double(s.count).squareRoot()
      lower = s.mean - half
      upper = s.mean + half
    } else {
      lower = nil
      upper = nil
    }
  }

  /// Whether the 95 % interval excludes 0 (false without an interval).
  public var isSignificant: Bool {
    guard let l = lower, let u = upper else { return false }
    return l > 0 || u < 0
  }

  /// `+1.20 [−0.50, +2.96]*` (percent points; `*` when significant), or `+1.20 (n=1)`.
  public var text: String {
    guard let l = lower, let u = upper else { return "\(ReportFormat.percent(mean)) (n=\(count))" }
    return "\(ReportFormat.percent(mean)) [\(ReportFormat.percent(l)), \(ReportFormat.percent(u))]\(isSignificant ? "*" : "")"
  }
}
