import AuxEngine

/// Weight initialisers with PyTorch's definitions (`torch.nn.init`), drawing from a seeded
/// ``RandomGenerator``.
///
/// Fan-in and fan-out follow `torch.nn.init._calculate_fan_in_and_fan_out`: for a weight of shape
/// `[out, in, k...]`, fan-in = `in · Πk`, fan-out = `out · Πk`.
public enum Initializers {
  /// Fan-in and fan-out of a weight shape (rank ≥ 2).
  public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
    precondition(shape.count >= 2, "Initializers.fans: weight shape \(shape) needs at least 2 dimensions")
    let receptive = shape.dropFirst(2).reduce(1, *)
    return (shape[1] * receptive, shape[0] * receptive)
  }

  /// The gain PyTorch's `calculate_gain` gives a nonlinearity.
  public enum Nonlinearity: Sendable {
    case linear, sigmoid, tanh, relu
    case leakyReLU(negativeSlope: Float)

    public var gain: Float {
      switch self {
      case .linear, .sigmoid: 1
      case .tanh: 5.0 / 3.0
      case .relu: Float(2).squareRoot()
      case .leakyReLU(let a): (2 / (1 + a * a)).squareRoot()
      }
    }
  }

  /// U(low, high).
  public static func uniform(_ shape: [Int], low: Float, high: Float, using rng: inout RandomGenerator) -> Tensor {
    let n = Shape.count(shape)
    var values = [Float](repeating: 0, count: n)
    for i in 0..<n { values[i] = low + (high - low) * rng.nextUniform() }
    return Tensor(shape: shape, scalars: values)
  }

  /// N(mean, std²).
  public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout RandomGenerator) -> Tensor {
    let n = Shape.count(shape)
    var values = [Float](repeating: 0, count: n)
    for i in 0..<n { values[i] = mean + std * rng.nextNormal() }
    return Tensor(shape: shape, scalars: values)
  }

  /// Kaiming (He) uniform: U(−b, b) with b = gain · √(3 / fan), fan = fan-in (default) or fan-out.
  ///
  /// PyTorch's default for `nn.Linear` and `nn.Conv2d` weights is this with
  /// `.leakyReLU(negativeSlope: √5)` and fan-in, i.e. b = 1/√fan_in.
  public static func kaimingUniform(
    _ shape: [Int], nonlinearity: Nonlinearity = .leakyReLU(negativeSlope: 0), fanOut: Bool = false,
    using rng: inout RandomGenerator
  ) -> Tensor {
    let (fi, fo) = fans(shape)
    let fan = Float(fanOut ? fo : fi)
    let bound = nonlinearity.gain * (3 / fan).squareRoot()
    return uniform(shape, low: -bound, high: bound, using: &rng)
  }

  /// Kaiming (He) normal: N(0, (gain / √fan)²).
  public static func kaimingNormal(
    _ shape: [Int], nonlinearity: Nonlinearity = .leakyReLU(negativeSlope: 0), fanOut: Bool = false,
    using rng: inout RandomGenerator
  ) -> Tensor {
    let (fi, fo) = fans(shape)
    let fan = Float(fanOut ? fo : fi)
    return normal(shape, std: nonlinearity.gain / fan.squareRoot(), using: &rng)
  }

  /// Xavier (Glorot) uniform: U(−b, b) with b = gain · √(6 / (fan_in + fan_out)).
  public static func xavierUniform(_ shape: [Int], gain: Float = 1, using rng: inout RandomGenerator) -> Tensor {
    let (fi, fo) = fans(shape)
    let bound = gain * (6 / Float(fi + fo)).squareRoot()
    return uniform(shape, low: -bound, high: bound, using: &rng)
  }

  /// Xavier (Glorot) normal: N(0, (gain · √(2 / (fan_in + fan_out)))²).
  public static func xavierNormal(_ shape: [Int], gain: Float = 1, using rng: inout RandomGenerator) -> Tensor {
    let (fi, fo) = fans(shape)
    return normal(shape, std: gain * (2 / Float(fi + fo)).squareRoot(), using: &rng)
  }

  /// PyTorch's default bias initialisation for a layer with the given fan-in: U(−1/√fan_in, 1/√fan_in).
  public static func defaultBias(_ count: Int, fanIn: Int, using rng: inout RandomGenerator) -> Tensor {
    let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
    return uniform([count], low: -bound, high: bound, using: &rng)
  }
}
