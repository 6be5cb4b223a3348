#if canImport(Accelerate)
  import Accelerate
#else
  import CBLAS
#endif

/// Thin, typed wrappers over the CBLAS routines the engine uses (OpenBLAS on Linux, Accelerate on
/// Apple platforms), plus the BLAS runtime settings that matter for speed.
public enum BLAS {
  /// Row-major single-precision GEMM: `C = alpha · op(A) · op(B) + beta · C`.
  ///
  /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc` are the row
  /// strides of the matrices as stored.
  @inlinable
  public static func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
      // C = beta · C; BLAS implementations disagree on k == 0, so do it here.
      for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 {
          for j in 0..<n { row[j] = 0 }
        } else {
          for j in 0..<n { row[j] *= beta }
        }
      }
      return
    }
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// Row-major double-precision GEMM: `C = alpha · op(A) · op(B) + beta · C` (shapes as in
  /// ``sgemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``).
  @inlinable
  public static func dgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    guard m > 0, n > 0, k > 0 else {
      if m > 0, n > 0 {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      }
      return
    }
    cblas_dgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// Row-major double-precision symmetric rank-k update of the upper triangle:
  /// `C = alpha · A Aᵀ + beta · C` with `A` `n × k` (row stride `lda`) and `C` `n × n`. Only the
  /// upper triangle (`j ≥ i`) of `C` is written.
  @inlinable
  public static func dsyrkUpper(
    n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
  ) {
    guard n > 0 else { return }
    if k == 0 {
      for i in 0..<n { for j in i..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      return
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
  }

  /// `y += alpha · x` over `n` contiguous elements.
  @inlinable
  public static func saxpy(n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
    guard n > 0 else { return }
    cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
  }

  /// Dot product of `n` contiguous elements.
  @inlinable
  public static func sdot(n: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
    guard n > 0 else { return 0 }
    return cblas_sdot(Int32(n), x, 1, y, 1)
  }

  #if !canImport(Accelerate)
    /// Number of threads OpenBLAS uses for one call.
    public static var threadCount: Int {
      get { Int(openblas_get_num_threads()) }
      set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// The kernel family OpenBLAS selected for this CPU (e.g. `SkylakeX`, `Haswell`, `Prescott`).
    ///
    /// OpenBLAS picks it when the library loads, from the `OPENBLAS_CORETYPE` environment variable
    /// or its own CPU detection. Debian's 0.3.21 misdetects recent AMD CPUs with AVX-512 and falls
    /// back to a slow generic kernel; ``CPUFeatures/recommendedOpenBLASCoreType`` says what to set,
    /// and the `auxmtl` command sets it before OpenBLAS loads.
    public static var coreName: String {
      guard let p = openblas_get_corename() else { return "unknown" }
      return String(cString: p)
    }

    /// OpenBLAS's build configuration string.
    public static var configuration: String {
      guard let p = openblas_get_config() else { return "unknown" }
      return String(cString: p)
    }
  #else
    public static var threadCount: Int {
      get { 1 }
      set {}
    }
    public static var coreName: String { "Accelerate" }
    public static var configuration: String { "Accelerate" }
  #endif
}
