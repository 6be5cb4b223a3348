import AuxEngine

/// A light dense head: conv3×3–BN–ReLU, then a 1×1 convolution to the task's channels (the
/// reference model's heads).
///
/// Children: `body` (`0`: 3×3 convolution without bias, `1`: batch norm, `2`: ReLU) and `out` (1×1
/// convolution with bias), as the heads of `scripts/bench/torch_step.py`. PyTorch's default
/// initialisation. The output is resized to the input size when ``upsampling`` says so.
public final class ConvHead: Module, TaskHead {
  public let body: Sequential
  public let out: Conv2d
  public let inChannels: Int
  public let hiddenChannels: Int
  public let outChannels: Int
  public let upsampling: DenseUpsampling

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
