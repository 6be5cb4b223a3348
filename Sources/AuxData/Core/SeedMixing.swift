import AuxEngine

/// Deterministic seeds for per-sample and per-epoch randomness.
///
/// Loaders and datasets derive one generator per (seed, purpose, epoch, index) instead of drawing
/// from a shared stream, so a sample's augmentation or noise does not depend on the order in which
/// a background thread produced it, and a run is reproducible from its seed alone.
public enum SeedMixing {
  /// A 64-bit seed mixing `seed` with `parts` (a SplitMix64 finaliser after each part).
  public static func combine(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
    combine(seed, parts)
  }

  /// A 64-bit seed mixing `seed` with `parts`.
  public static func combine(_ seed: UInt64, _ parts: [UInt64]) -> UInt64 {
    var h = mix(seed)
    for p in parts { h = mix(h ^ mix(p)) }
    return h
  }

  /// A generator seeded with `combine(seed, parts)`.
  public static func generator(_ seed: UInt64, _ parts: UInt64...) -> RandomGenerator {
    RandomGenerator(seed: combine(seed, parts))
  }

  /// A stable 64-bit code for a purpose label (FNV-1a), to keep streams for different uses apart.
  public static func code(_ label: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in label.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return h
  }

  static func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
