import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Process-level figures the benchmarks report: resident memory and the machine's load.
public enum ProcessStatistics {
  /// `(current, peak)` resident set size in bytes (`VmRSS`, `VmHWM` of `/proc/self/status`), or
  /// nil where that file does not exist.
  public static func residentBytes() -> (current: Int, peak: Int)? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    func field(_ name: String) -> Int? {
      guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
      let digits = line.split(separator: " ").compactMap { Int($0) }.first
      return digits.map { $0 * 1024 }
    }
    guard let current = field("VmRSS"), let peak = field("VmHWM") else { return nil }
    return (current, peak)
  }

  /// The 1-, 5- and 15-minute load averages, or nil where unavailable.
  public static func loadAverage() -> [Double]? {
    #if os(Linux)
      var loads = [Double](repeating: 0, count: 3)
      guard getloadavg(&loads, 3) == 3 else { return nil }
      return loads
    #else
      return nil
    #endif
  }

  /// The load averages as text (`"4.12 4.50 5.01"`), or `"unavailable"`.
  public static var loadAverageText: String {
    loadAverage().map { $0.map { String(format: "%.2f", $0) }.joined(separator: " ") } ?? "unavailable"
  }
}
