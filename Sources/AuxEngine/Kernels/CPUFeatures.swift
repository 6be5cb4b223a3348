#if canImport(Glibc)
  import Glibc
#endif

/// What the CPU supports, read from `/proc/cpuinfo` on Linux, and the BLAS settings that follow.
public enum CPUFeatures {
  /// The CPU flags reported by the kernel (empty where `/proc/cpuinfo` is unavailable).
  public static let flags: Set<String> = {
    #if os(Linux)
      guard let f = fopen("/proc/cpuinfo", "r") else { return [] }
      defer { fclose(f) }
      var line: UnsafeMutablePointer<CChar>?
      var cap = 0
      while getline(&line, &cap, f) > 0 {
        guard let l = line else { break }
        let s = String(cString: l)
        if s.hasPrefix("flags") {
          free(line)
          let parts = s.split(separator: ":", maxSplits: 1)
          guard parts.count == 2 else { return [] }
          return Set(parts[1].split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        }
      }
      free(line)
      return []
    #else
      return []
    #endif
  }()

  /// Whether the CPU has the AVX-512 foundation and the subsets OpenBLAS's SkylakeX kernels use.
  public static var hasAVX512: Bool {
    ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
  }

  /// The `OPENBLAS_CORETYPE` value auxmtl recommends for this CPU, or nil to let OpenBLAS decide.
  ///
  /// Measured on the project's 2-core AMD EPYC machines: OpenBLAS 0.3.21 does not recognise the CPU
  /// and picks a generic kernel; forcing `SkylakeX` about doubles sgemm throughput. On CPUs with
  /// AVX2 but no AVX-512, OpenBLAS's own detection is trusted.
  public static var recommendedOpenBLASCoreType: String? {
    hasAVX512 ? "SkylakeX" : nil
  }
}
