import AuxEngine

/// Stores 64-bit words and `Double`s in `Float` tensors without loss, for method checkpoints.
///
/// A method's ``WeightingMethod/stateDict()`` holds `Float` tensors, which represent integers
/// exactly only below 2²⁴. Random-generator words (``RandomGenerator/serialized``), step counters
/// and `Double` accumulators are therefore split into four 16-bit chunks each (low chunk first),
/// every chunk a whole number in 0…65535, so that a round trip restores them bit for bit.
public enum ExactStateCoding {
  /// `[4·n]` tensor holding the 16-bit chunks of `words`.
  public static func encode(words: [UInt64]) -> Tensor {
    var chunks = [Float]()
    chunks.reserveCapacity(words.count * 4)
    for w in words {
      for k in 0..<4 { chunks.append(Float((w >> (16 * UInt64(k))) & 0xFFFF)) }
    }
    return Tensor(chunks)
  }

  /// The words of a tensor made by ``encode(words:)``.
  ///
  /// - Throws: ``MTLStepError`` naming `key` when the tensor does not hold whole 16-bit chunks or
  ///   does not hold `expectedCount` words.
  public static func decodeWords(_ t: Tensor, key: String, expectedCount: Int? = nil) throws -> [UInt64] {
    let c = t.scalars
    guard c.count % 4 == 0 else {
      throw MTLStepError("state '\(key)': \(c.count) values is not a whole number of 4-chunk words")
    }
    if let expectedCount, c.count != 4 * expectedCount {
      throw MTLStepError("state '\(key)': expected \(expectedCount) words (\(4 * expectedCount) values), found \(c.count) values")
    }
    var out = [UInt64]()
    for i in stride(from: 0, to: c.count, by: 4) {
      var w: UInt64 = 0
      for k in 0..<4 {
        let v = c[i + k]
        guard v >= 0, v <= 65535, v == v.rounded() else {
          throw MTLStepError("state '\(key)': value \(v) at \(i + k) is not a 16-bit chunk")
        }
        w |= UInt64(v) << (16 * UInt64(k))
      }
      out.append(w)
    }
    return out
  }

  /// `[4·n]` tensor holding the bit patterns of `values`.
  public static func encode(doubles values: [Double]) -> Tensor { encode(words: values.map(\.bitPattern)) }

  /// The `Double`s of a tensor made by ``encode(doubles:)``.
  public static func decodeDoubles(_ t: Tensor, key: String, expectedCount: Int? = nil) throws -> [Double] {
    try decodeWords(t, key: key, expectedCount: expectedCount).map(Double.init(bitPattern:))
  }

  /// A non-negative counter (steps, epochs) as one word.
  public static func encode(count: Int) -> Tensor { encode(words: [UInt64(bitPattern: Int64(count))]) }

  /// A counter made by ``encode(count:)``.
  public static func decodeCount(_ t: Tensor, key: String) throws -> Int {
    Int(Int64(bitPattern: try decodeWords(t, key: key, expectedCount: 1)[0]))
  }

  /// A random generator's full state.
  public static func encode(_ rng: RandomGenerator) -> Tensor { encode(words: rng.serialized) }

  /// A random generator restored from ``encode(_:)``.
  public static func decodeGenerator(_ t: Tensor, key: String) throws -> RandomGenerator {
    RandomGenerator(serialized: try decodeWords(t, key: key, expectedCount: 5))
  }
}
