import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What a run's timings were taken under: this process's CPU time and the machine's load.
///
/// Wall time alone compares methods only when every run had the machine to itself; on a shared
/// machine the CPU time (user + system over all of the process's threads: BLAS, loaders) and the
/// load average beside it say how much of a difference is the method's.
public enum ProcessLoad {
  #if canImport(Glibc)
    private static let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
  #else
    private static let RUSAGE_SELF_WHO = RUSAGE_SELF
  #endif

  /// User plus system CPU seconds of this process so far, over all its threads (`getrusage`).
  public static func cpuSeconds() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF_WHO, &usage) == 0 else { return .nan }
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  /// The machine's 1-minute load average (runnable and running threads, exponentially averaged
  /// over about a minute), or nil where the system does not report it.
  public static func loadAverage() -> Double? {
    var loads = [Double](repeating: 0, count: 1)
    return getloadavg(&loads, 1) == 1 ? loads[0] : nil
  }
}
