/// `exp` and `log` for `Float` written as straight-line arithmetic, so that loops calling them
/// vectorise (calls to the C library's `expf`/`logf` do not).
///
/// Both use the Cephes single-precision polynomials with range reduction by powers of two; over
/// their domains they stay within 2 ulp of the correctly rounded result (tested against Double).
/// The power-of-two scaling uses the "add 1.5·2^23" rounding trick and bit manipulation instead of
/// `rounded()` or `Int32(_:)`, which would stop vectorisation (no SSE4.1 on the baseline target;
/// conversions trap on overflow).
public enum FastMath {
  /// e^x. Returns 0 below −87.33 (where the result would be denormal) and +∞ above 88.3 (the
  /// exact value is still finite up to 88.72; the kernels only call it with x ≤ 0 or x ≤ 80), NaN
  /// for NaN.
  @inline(__always)
  public static func exp(_ x: Float) -> Float {
    let magic: Float = 12_582_912  // 1.5 · 2^23: adding it rounds to an integer in the low bits
    let clamped = Swift.min(Swift.max(x, -87.33), 88.3)
    let r = clamped * 1.442_695_04 + magic
    let n = r - magic
    // Cody–Waite reduction: f = x − n·ln 2 in two parts.
    var f = clamped - n * 0.693_359_375
    f = f + n * 2.121_944_4e-4
    let z = f * f
    var p: Float = 1.987_569_15e-4
    p = p * f + 1.398_199_950_7e-3
    p = p * f + 8.333_451_907_3e-3
    p = p * f + 4.166_579_589_4e-2
    p = p * f + 1.666_666_545_9e-1
    p = p * f + 5.000_000_120_1e-1
    let y = p * z + f + 1
    // 2^n from the integer sitting in r's low mantissa bits.
    let scale = Float(bitPattern: (r.bitPattern &- magic.bitPattern &+ 127) << 23)
    var result = y * scale
    result = x < -87.33 ? 0 : result
    result = x > 88.3 ? .infinity : result
    return x != x ? x : result
  }

  /// Natural logarithm for `x > 0` (and `x == +∞`); NaN for negative inputs, −∞ for 0.
  /// Denormal inputs are treated as 0.
  @inline(__always)
  public static func log(_ x: Float) -> Float {
    let bits = x.bitPattern
    // x = m · 2^e with m in [0.5, 1).
    var e = Float(Int32(bitPattern: (bits >> 23) & 0xFF) &- 126)
    var m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F00_0000)
    let small = m < 0.707_106_781_186_547_524
    e = small ? e - 1 : e
    m = small ? m + m - 1 : m - 1
    let z = m * m
    var p: Float = 7.037_683_629_2e-2
    p = p * m - 1.151_461_031_0e-1
    p = p * m + 1.167_699_874_0e-1
    p = p * m - 1.242_014_084_6e-1
    p = p * m + 1.424_932_278_7e-1
    p = p * m - 1.666_805_766_5e-1
    p = p * m + 2.000_071_476_5e-1
    p = p * m - 2.499_999_399_3e-1
    p = p * m + 3.333_333_117_4e-1
    var y = p * m * z
    y = y - 2.121_944_4e-4 * e
    y = y - 0.5 * z
    var result = m + y + 0.693_359_375 * e
    result = x == .infinity ? .infinity : result
    result = x < Float.leastNormalMagnitude ? (x == 0 || x > 0 ? -.infinity : .nan) : result
    return x != x ? x : result
  }

  /// log(1 + x) for finite `x ≥ −1`, accurate for small `x` (log(u)·x/(u − 1) with u = 1 + x).
  @inline(__always)
  public static func log1p(_ x: Float) -> Float {
    let u = 1 + x
    let d = u - 1
    let l = log(u)
    return d == 0 ? x : l * (x / d)
  }
}
