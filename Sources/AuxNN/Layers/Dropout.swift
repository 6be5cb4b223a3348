import AuxEngine

/// Inverted dropout as a layer (PyTorch's `nn.Dropout`): in training mode each element is zeroed
/// with probability `p` and the rest are scaled by `1 / (1 − p)`; in evaluation mode (``Module/eval()``)
/// it is the identity.
///
/// The layer owns its generator, seeded from the one given at construction, so a model built from
/// a seed drops the same elements on every run. The masks differ from PyTorch's for the same seed.
public final class Dropout: Module, Layer {
  /// The probability of zeroing an element.
  public let p: Float
  /// The generator the masks are drawn from (store ``RandomGenerator/serialized`` in a checkpoint
  /// to resume the same sequence of masks).
  public var rng: RandomGenerator

  /// A dropout layer whose generator is seeded by one draw from `rng`.
  public init(_ p: Float = 0.5, rng: inout RandomGenerator) {
    precondition(p >= 0 && p <= 1, "Dropout: probability must be in [0, 1], got \(p)")
    self.p = p
    self.rng = RandomGenerator(seed: rng.next())
    super.init()
  }

  /// A dropout layer with its own generator seeded by `seed`.
  public init(_ p: Float = 0.5, seed: UInt64) {
    precondition(p >= 0 && p <= 1, "Dropout: probability must be in [0, 1], got \(p)")
    self.p = p
    self.rng = RandomGenerator(seed: seed)
    super.init()
  }

  /// Applies dropout when the layer is in training mode; returns `x` unchanged in evaluation mode.
  public func callAsFunction(_ x: Tensor) -> Tensor {
    x.dropout(p: p, training: isTraining, using: &rng)
  }
}
