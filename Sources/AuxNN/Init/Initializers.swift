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
  ///
  /// PyTorch's `calculate_gain("leaky_relu")` without a slope uses 0.01, while its Kaiming
  /// initialisers default to slope 0 (gain √2, as `.relu`); here the slope is always explicit.
  /// PyTorch's `conv*` and `conv_transpose*` names have gain 1, as `.linear`.
  public enum Nonlinearity: Sendable, Equatable {
    case linear, sigmoid, tanh, relu, selu
    case leakyReLU(negativeSlope: Float)

    public var gain: Float {
      switch self {
      case .linear, .sigmoid: 1
      case .tanh: 5.0 / 3.0
      case .relu: Float(2).squareRoot()
      case .selu: 3.0 / 4.0
      case .leakyReLU(let a): (2 / (1 + a * a)).squareRoot()
      }
    }
  }

  /// U(low, high), each element `low + (high − low)·u` with u uniform in [0, 1).
  public static func uniform(_ shape: [Int], low: Float, high: Float, using rng: inout RandomGenerator) -> Tensor {
    precondition(low <= high, "Initializers.uniform: low \(low) exceeds high \(high) (shape \(shape))")
    var t = Tensor.uninitialized(shape)
    let width = high - low
    t.withUnsafeMutableBufferPointer { buf in
      guard let p = buf.baseAddress else { return }
      for i in 0..<buf.count { p[i] = low + width * rng.nextUniform() }
    }
    return t
  }

  /// N(mean, std²).
  public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout RandomGenerator) -> Tensor {
    precondition(std >= 0, "Initializers.normal: std must be ≥ 0, got \(std) (shape \(shape))")
    var t = Tensor.uninitialized(shape)
    t.withUnsafeMutableBufferPointer { buf in
      guard let p = buf.baseAddress else { return }
      for i in 0..<buf.count { p[i] = mean + std * rng.nextNormal() }
    }
    return t
  }

  /// The standard deviation of PyTorch's Kaiming initialisers: gain / √fan, with fan the fan-in
  /// (PyTorch's `mode="fan_in"`, the default) or the fan-out (`mode="fan_out"`).
  ///
  /// `kaiming_uniform_` draws from U(−b, b) with b = √3 · this; `kaiming_normal_` from N(0, this²).
  public static func kaimingStd(_ shape: [Int], nonlinearity: Nonlinearity = .leakyReLU(negativeSlope: 0), fanOut: Bool = false) -> Float {
    let (fi, fo) = fans(shape)
    let fan = fanOut ? fo : fi
    precondition(fan > 0, "Initializers.kaiming: weight shape \(shape) has a zero \(fanOut ? "fan-out" : "fan-in")")
    return nonlinearity.gain / Float(fan).squareRoot()
  }

  /// The standard deviation of PyTorch's Xavier initialisers: gain · √(2 / (fan_in + fan_out)).
  ///
  /// `xavier_uniform_` draws from U(−b, b) with b = √3 · this; `xavier_normal_` from N(0, this²).
  public static func xavierStd(_ shape: [Int], gain: Float = 1) -> Float {
    let (fi, fo) = fans(shape)
    precondition(fi + fo > 0, "Initializers.xavier: weight shape \(shape) has zero fans")
    return gain * (2 / Float(fi + fo)).squareRoot()
  }

  /// Kaiming (He) uniform, as `torch.nn.init.kaiming_uniform_`: U(−b, b) with
  /// b = gain · √(3 / fan) = √3 · ``kaimingStd(_:nonlinearity:fanOut:)``.
  ///
  /// PyTorch's default for `nn.Linear` and `nn.Conv2d` weights is this with
  /// `.leakyReLU(negativeSlope: √5)` and fan-in, i.e. b = 1/√fan_in.
  public static func kaimingUniform(
    _ shape: [Int], nonlinearity: Nonlinearity = .leakyReLU(negativeSlope: 0), fanOut: Bool = false,
    using rng: inout RandomGenerator
  ) -> Tensor {
    if Shape.count(shape) == 0 { return Tensor.zeros(shape) }  // PyTorch: a no-op on empty tensors
    let bound = Float(3).squareRoot() * kaimingStd(shape, nonlinearity: nonlinearity, fanOut: fanOut)
    return uniform(shape, low: -bound, high: bound, using: &rng)
  }

  /// Kaiming (He) normal, as `torch.nn.init.kaiming_normal_`: N(0, (gain / √fan)²).
  public static func kaimingNormal(
    _ shape: [Int], nonlinearity: Nonlinearity = .leakyReLU(negativeSlope: 0), fanOut: Bool = false,
    using rng: inout RandomGenerator
  ) -> Tensor {
    if Shape.count(shape) == 0 { return Tensor.zeros(shape) }
    return normal(shape, std: kaimingStd(shape, nonlinearity: nonlinearity, fanOut: fanOut), using: &rng)
  }

  /// Xavier (Glorot) uniform, as `torch.nn.init.xavier_uniform_`: U(−b, b) with
  /// b = gain · √(6 / (fan_in + fan_out)) = √3 · ``xavierStd(_:gain:)``.
  public static func xavierUniform(_ shape: [Int], gain: Float = 1, using rng: inout RandomGenerator) -> Tensor {
    if Shape.count(shape) == 0 { return Tensor.zeros(shape) }
    let bound = Float(3).squareRoot() * xavierStd(shape, gain: gain)
    return uniform(shape, low: -bound, high: bound, using: &rng)
  }

  /// Xavier (Glorot) normal, as `torch.nn.init.xavier_normal_`: N(0, (gain · √(2 / (fan_in + fan_out)))²).
  public static func xavierNormal(_ shape: [Int], gain: Float = 1, using rng: inout RandomGenerator) -> Tensor {
    if Shape.count(shape) == 0 { return Tensor.zeros(shape) }
    return normal(shape, std: xavierStd(shape, gain: gain), using: &rng)
  }

  /// PyTorch's default bias initialisation for a layer with the given fan-in: U(−1/√fan_in, 1/√fan_in).
  public static func defaultBias(_ count: Int, fanIn: Int, using rng: inout RandomGenerator) -> Tensor {
    let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
    return uniform([count], low: -bound, high: bound, using: &rng)
  }
}
