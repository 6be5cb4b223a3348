/// A small, fast, seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Every source of randomness in auxmtl (initialisation, dropout, shuffling, augmentation,
/// randomised weighting methods) takes a generator `inout`, so a run is reproducible from its seed
/// and the generator's ``state`` can be stored in a checkpoint and restored exactly.
///
/// It is not PyTorch's generator: the same seed gives different numbers than `torch.manual_seed`.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
  /// The four 64-bit words of the generator's state.
  public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
  /// A cached second normal deviate from the Box–Muller transform.
  private var spareNormal: Float?

  /// A generator seeded from a 64-bit seed.
  public init(seed: UInt64) {
    var sm = seed
    func splitmix() -> UInt64 {
      sm &+= 0x9E37_79B9_7F4A_7C15
      var z = sm
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    state = (splitmix(), splitmix(), splitmix(), splitmix())
    spareNormal = nil
  }

  /// A generator restored from ``serialized``.
  public init(serialized words: [UInt64]) {
    precondition(words.count == 5, "RandomGenerator(serialized:): expected 5 words, got \(words.count)")
    state = (words[0], words[1], words[2], words[3])
    spareNormal = words[4] == UInt64.max ? nil : Float(bitPattern: UInt32(truncatingIfNeeded: words[4]))
  }

  /// The full state as five words (the last encodes the cached normal deviate), for checkpoints.
  public var serialized: [UInt64] {
    [state.0, state.1, state.2, state.3, spareNormal.map { UInt64($0.bitPattern) } ?? UInt64.max]
  }

  /// A generator for an independent stream derived from this one's seed material and `stream`.
  public func fork(_ stream: UInt64) -> RandomGenerator {
    RandomGenerator(seed: state.0 ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ state.2)
  }

  @inline(__always)
  private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = Self.rotl(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = Self.rotl(state.3, 45)
    return result
  }

  /// A uniform `Float` in [0, 1) with 24 random bits.
  public mutating func nextUniform() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  public mutating func nextUniformDouble() -> Double {
    Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// A standard normal deviate (Box–Muller, computed in Double).
  public mutating func nextNormal() -> Float {
    if let s = spareNormal {
      spareNormal = nil
      return s
    }
    var u1 = nextUniformDouble()
    while u1 <= 0 { u1 = nextUniformDouble() }
    let u2 = nextUniformDouble()
    let r = (-2 * _log(u1)).squareRoot()
    let theta = 2 * Double.pi * u2
    spareNormal = Float(r * _sin(theta))
    return Float(r * _cos(theta))
  }

  /// A uniform integer in `0..<upperBound`.
  public mutating func nextInt(below upperBound: Int) -> Int {
    precondition(upperBound > 0, "RandomGenerator.nextInt(below:): upper bound must be positive, got \(upperBound)")
    return Int(next(upperBound: UInt64(upperBound)))
  }

  /// A Gamma(shape, 1) deviate (Marsaglia–Tsang), used for Dirichlet sampling.
  public mutating func nextGamma(shape alpha: Double) -> Double {
    precondition(alpha > 0, "RandomGenerator.nextGamma: shape must be positive, got \(alpha)")
    if alpha < 1 {
      let u = max(nextUniformDouble(), Double.leastNormalMagnitude)
      return nextGamma(shape: alpha + 1) * _pow(u, 1 / alpha)
    }
    let d = alpha - 1.0 / 3.0
    let c = 1.0 / (9 * d).squareRoot()
    while true {
      var x: Double
      var v: Double
      repeat {
        x = Double(nextNormal())
        v = 1 + c * x
      } while v <= 0
      v = v * v * v
      let u = nextUniformDouble()
      if u < 1 - 0.0331 * x * x * x * x { return d * v }
      if _log(max(u, Double.leastNormalMagnitude)) < 0.5 * x * x + d * (1 - v + _log(v)) { return d * v }
    }
  }

  /// Shuffles `array` in place (Fisher–Yates).
  public mutating func shuffle<T>(_ array: inout [T]) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
      let j = nextInt(below: i + 1)
      if i != j { array.swapAt(i, j) }
    }
  }

  public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool { a.serialized == b.serialized }
}

#if canImport(Glibc)
  import Glibc
  @inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
  @inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
  @inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
  @inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#elseif canImport(Darwin)
  import Darwin
  @inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
  @inline(__always) func _sin(_ x: Double) -> Double { Darwin.sin(x) }
  @inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
  @inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Darwin.pow(x, y) }
#endif
