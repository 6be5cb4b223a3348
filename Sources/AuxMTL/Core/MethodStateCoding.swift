import AuxEngine

/// Exact storage of a method's non-Float state (Double accumulators, 64-bit RNG words) in the
/// Float tensors of a state dictionary.
///
/// A Float holds every integer below 2^24 exactly, so each 64-bit word is stored as four 16-bit
/// chunks (most significant first). Doubles are stored through their bit patterns. Decoding the
/// tensor written by an encoder gives back the very same bits, so a checkpoint restores behaviour
/// exactly (e.g. the next random permutation of PCGrad).
public enum MethodStateCoding {
  /// Four Float chunks per word, as a `[4 · words.count]` tensor.
  public static func encode(words: [UInt64]) -> Tensor {
    var out = [Float]()
    out.reserveCapacity(words.count * 4)
    for w in words {
      for k in stride(from: 48, through: 0, by: -16) { out.append(Float((w >> UInt64(k)) & 0xFFFF)) }
    }
    return Tensor(shape: [out.count], scalars: out)
  }

  /// The words of ``encode(words:)``, or nil when the tensor is not such an encoding (length not a
  /// multiple of 4, or a chunk that is not an integer in 0…65535).
  public static func decodeWords(_ t: Tensor) -> [UInt64]? {
    let s = t.scalars
    guard s.count % 4 == 0 else { return nil }
    var out = [UInt64]()
    out.reserveCapacity(s.count / 4)
    for i in stride(from: 0, to: s.count, by: 4) {
      var w: UInt64 = 0
      for k in 0..<4 {
        let c = s[i + k]
        guard c >= 0, c <= 65535, c == c.rounded() else { return nil }
        w = (w << 16) | UInt64(c)
      }
      out.append(w)
    }
    return out
  }

  /// Doubles through their bit patterns (four Float chunks each).
  public static func encode(doubles: [Double]) -> Tensor { encode(words: doubles.map(\.bitPattern)) }

  /// The doubles of ``encode(doubles:)``, or nil when the tensor is not such an encoding.
  public static func decodeDoubles(_ t: Tensor) -> [Double]? { decodeWords(t)?.map(Double.init(bitPattern:)) }

  /// A random generator's full state (``RandomGenerator/serialized``).
  public static func encode(generator: RandomGenerator) -> Tensor { encode(words: generator.serialized) }

  /// The generator of ``encode(generator:)``, or nil when the tensor does not hold five words.
  public static func decodeGenerator(_ t: Tensor) -> RandomGenerator? {
    guard let w = decodeWords(t), w.count == 5 else { return nil }
    return RandomGenerator(serialized: w)
  }
}
