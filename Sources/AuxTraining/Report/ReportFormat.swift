import Foundation

/// How the report writes numbers.
enum ReportFormat {
  /// Decimals for a column of metric values: 4 below 1, 3 below 10, 2 below 100, else 1
  /// (mIoU 0.4312, RMSE 0.5877, angle 22.40).
  static func decimals(_ values: [Double]) -> Int {
    let m = values.filter(\.isFinite).map(abs).max() ?? 0
    return m < 1 ? 4 : m < 10 ? 3 : m < 100 ? 2 : 1
  }

  static func fixed(_ v: Double, _ decimals: Int) -> String {
    v.isFinite ? String(format: "%.\(decimals)f", v) : (v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf"))
  }

  /// `0.4312 ± 0.0051`, or `0.4312` for a single value.
  static func summary(_ s: SampleSummary, _ decimals: Int) -> String {
    guard let sd = s.standardDeviation else { return fixed(s.mean, decimals) }
    return "\(fixed(s.mean, decimals)) ± \(fixed(sd, decimals))"
  }

  /// A signed percentage with two decimals: `+2.14`, `-0.44`.
  static func percent(_ v: Double) -> String {
    guard v.isFinite else { return fixed(v, 2) }
    let s = String(format: "%+.2f", v)
    return s == "-0.00" ? "+0.00" : s
  }

  /// A number for CSV: full precision, empty for nil.
  static func csv(_ v: Double?) -> String {
    guard let v else { return "" }
    return v.isFinite ? "\(v)" : (v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf"))
  }

  /// A CSV field (RFC 4180: quoted when it holds a comma, quote or line break).
  static func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
