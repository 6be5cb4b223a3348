/// Unaligned SIMD loads and stores written lane by lane.
///
/// The standard library's `loadUnaligned(as:)`, `storeBytes(of:as:)` and `evenHalf`/`oddHalf` were
/// measured to stay out-of-line function calls inside large kernels (perf showed them as separate
/// symbols in the Winograd and batch-norm loops). Lane-by-lane code is always inlined, and LLVM
/// merges adjacent lanes into vector moves and shuffles.
enum SIMDMemory {
  @inline(__always)
  static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    SIMD8(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
  }

  @inline(__always)
  static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    SIMD16(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15])
  }

  @inline(__always)
  static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    p[0] = v[0]
    p[1] = v[1]
    p[2] = v[2]
    p[3] = v[3]
    p[4] = v[4]
    p[5] = v[5]
    p[6] = v[6]
    p[7] = v[7]
  }

  /// Stores `[a0, b0, a1, b1, …, a7, b7]` at `p`.
  @inline(__always)
  static func storeInterleaved(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    p[0] = a[0]
    p[1] = b[0]
    p[2] = a[1]
    p[3] = b[1]
    p[4] = a[2]
    p[5] = b[2]
    p[6] = a[3]
    p[7] = b[3]
    p[8] = a[4]
    p[9] = b[4]
    p[10] = a[5]
    p[11] = b[5]
    p[12] = a[6]
    p[13] = b[6]
    p[14] = a[7]
    p[15] = b[7]
  }

  /// `(p[0], p[2], …, p[14])` and `(p[1], p[3], …, p[15])`.
  @inline(__always)
  static func loadEvenOdd(_ p: UnsafePointer<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
    (
      SIMD8(p[0], p[2], p[4], p[6], p[8], p[10], p[12], p[14]),
      SIMD8(p[1], p[3], p[5], p[7], p[9], p[11], p[13], p[15])
    )
  }
}
