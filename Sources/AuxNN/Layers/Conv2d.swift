import AuxEngine

/// A 2-D convolution layer over `[N, C, H, W]` inputs (PyTorch's `nn.Conv2d` with `groups = 1` and
/// zero padding).
///
/// `weight` has shape `[out, in, kH, kW]` and `bias` `[out]`. Initialisation follows PyTorch's
/// `reset_parameters`: Kaiming uniform with a = √5 for the weight (U(±1/√fan_in), fan_in =
/// `in·kH·kW`), then U(±1/√fan_in) for the bias, drawn in that order.
public final class Conv2d: Module, Layer {
  public let weight: Parameter
  public let bias: Parameter?
  public let inChannels: Int
  public let outChannels: Int
  public let kernelSize: Size2D
  public let stride: Size2D
  public let padding: Size2D
  public let dilation: Size2D

  public init(
    _ inChannels: Int, _ outChannels: Int, kernelSize: Size2D, stride: Size2D = 1, padding: Size2D = 0,
    dilation: Size2D = 1, bias: Bool = true, rng: inout RandomGenerator
  ) {
    precondition(inChannels > 0 && outChannels > 0, "Conv2d: channel counts must be positive, got \(inChannels)→\(outChannels)")
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    self.dilation = dilation
    let shape = [outChannels, inChannels, kernelSize.height, kernelSize.width]
    weight = Parameter(
      Initializers.kaimingUniform(shape, nonlinearity: .leakyReLU(negativeSlope: Float(5).squareRoot()), using: &rng))
    let fanIn = Initializers.fans(shape).fanIn
    self.bias = bias ? Parameter(Initializers.defaultBias(outChannels, fanIn: fanIn, using: &rng)) : nil
    super.init()
    registerParameter("weight", weight)
    if let b = self.bias { registerParameter("bias", b) }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(
      x.rank == 4 && x.shape[1] == inChannels,
      "Conv2d(\(inChannels)→\(outChannels)): input of shape \(x.shape) must be [N, \(inChannels), H, W]")
    return x.conv2d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation)
  }
}
