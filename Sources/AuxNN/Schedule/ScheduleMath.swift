#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The libm functions the schedules use (C's `pow` and `cos`, as Python's `math` uses).
enum ScheduleMath {
  @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double {
    #if canImport(Glibc)
      Glibc.pow(x, y)
    #else
      Darwin.pow(x, y)
    #endif
  }

  @inline(__always) static func cos(_ x: Double) -> Double {
    #if canImport(Glibc)
      Glibc.cos(x)
    #else
      Darwin.cos(x)
    #endif
  }
}
