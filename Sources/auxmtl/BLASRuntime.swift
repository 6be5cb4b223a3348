#if canImport(Glibc)
  import Glibc
#endif
import AuxEngine

/// Process-level BLAS settings that must be in place before OpenBLAS initialises.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when the library loads, which happens before `main`.
/// When the variable is unset and auxmtl recommends a kernel for this CPU
/// (``CPUFeatures/recommendedOpenBLASCoreType``), the process sets it and re-executes itself once,
/// so that the choice is explicit and visible in `auxmtl info`. Setting `OPENBLAS_CORETYPE`
/// yourself (any value) disables this; `AUXMTL_BLAS_AUTOTUNE=0` disables it too.
enum BLASRuntime {
  static let guardVariable = "AUXMTL_BLAS_CONFIGURED"

  static func configureProcess() {
    #if os(Linux)
      let autotune = getenv("AUXMTL_BLAS_AUTOTUNE").map { String(cString: $0) } ?? "1"
      if getenv("OPENBLAS_CORETYPE") == nil, getenv(guardVariable) == nil, autotune != "0",
        let core = CPUFeatures.recommendedOpenBLASCoreType
      {
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(guardVariable, "1", 1)
        let args = CommandLine.unsafeArgv
        execv("/proc/self/exe", args)
        // execv only returns on failure; carry on with OpenBLAS's own choice.
      }
    #endif
  }
}
