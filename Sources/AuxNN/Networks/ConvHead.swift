import AuxEngine

/// A light dense head: conv3×3–BN–ReLU, then a 1×1 convolution to the task's channels (the
/// reference model's heads).
///
/// Children: `body` (`0`: 3×3 convolution without bias, `1`: batch norm, `2`: ReLU) and `out` (1×1
/// convolution with bias), as the heads of `scripts/bench/torch_step.py`. PyTorch's default
/// initialisation. The output is resized to the input size when ``upsampling`` says so.
public final class ConvHead: Module, TaskHead {
  /// conv3×3–BN–ReLU (`body`).
  public let body: Sequential
  /// The 1×1 output convolution (`out`).
  public let out: Conv2d
  /// Channels of the features.
  public let inChannels: Int
  /// Channels after `body`.
  public let hiddenChannels: Int
  /// Channels of the prediction.
  public let outChannels: Int
  /// Whether (and how) the prediction is resized to the input size.
  public let upsampling: DenseUpsampling

  /// A head from `inChannels` to `outChannels` through `hiddenChannels`, initialised from `rng`.
  public init(
    _ inChannels: Int, _ outChannels: Int, hiddenChannels: Int, upsampling: DenseUpsampling = .bilinear,
    rng: inout RandomGenerator
  ) {
    self.inChannels = inChannels
    self.hiddenChannels = hiddenChannels
    self.outChannels = outChannels
    self.upsampling = upsampling
    body = Sequential(
      Conv2d(inChannels, hiddenChannels, kernelSize: 3, padding: 1, bias: false, rng: &rng), BatchNorm2d(hiddenChannels), ReLU())
    out = Conv2d(hiddenChannels, outChannels, kernelSize: 1, rng: &rng)
    super.init()
    registerModule("body", body)
    registerModule("out", out)
  }

  public func callAsFunction(_ features: Tensor, inputSize: Size2D) -> Tensor {
    precondition(
      features.rank == 4 && features.shape[1] == inChannels,
      "ConvHead(\(inChannels)→\(outChannels)): features of shape \(features.shape) must be [N, \(inChannels), h, w]")
    return upsampling.apply(out(body(features)), inputSize: inputSize)
  }
}
