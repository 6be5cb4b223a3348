import AuxEngine

/// Deterministic test inputs.
enum TestData {
  /// Uniform values in `[low, high)`.
  static func uniform(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in low + (high - low) * rng.nextUniform() })
  }

  /// Distinct values (a shuffled grid with spacing 0.05, shifted), so max/min and |x| have no
  /// ties or kinks within a finite-difference step.
  static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = Shape.count(shape)
    var values = (0..<n).map { Float($0) * 0.05 - Float(n) * 0.025 + 0.0123 }
    rng.shuffle(&values)
    return Tensor(shape: shape, scalars: values)
  }

  /// Whole-number class indices in `0..<classes`, with `ignore` at the given flat positions.
  static func labels(_ shape: [Int], classes: Int, seed: UInt64, ignore: Float? = nil, at ignored: [Int] = []) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    var values = (0..<Shape.count(shape)).map { _ in Float(rng.nextInt(below: classes)) }
    if let ignore { for i in ignored { values[i] = ignore } }
    return Tensor(shape: shape, scalars: values)
  }
}
