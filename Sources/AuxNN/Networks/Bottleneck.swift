import AuxEngine

/// ResNet's bottleneck residual block, version 1.5 as in torchvision (`Bottleneck`): 1×1 → 3×3
/// (carrying the stride and the dilation) → 1×1 expanding by 4, each with batch norm.
///
/// Children, as in torchvision: `conv1`, `bn1`, `conv2`, `bn2`, `conv3`, `bn3`, `relu` and, when the
/// shape changes, `downsample` (`0`: 1×1 convolution with the block's stride, `1`: batch norm).
/// Convolutions have no bias. `groups` and `width_per_group` are fixed at torchvision's defaults
/// (1 and 64), as in ResNet-50.
public final class Bottleneck: Module, Layer {
  /// Output channels per plane: 4.
  public static let expansion = 4
  public let conv1: Conv2d
  public let bn1: BatchNorm2d
  public let conv2: Conv2d
  public let bn2: BatchNorm2d
  public let conv3: Conv2d
  public let bn3: BatchNorm2d
  public let relu = ReLU()
  /// The projection shortcut (1×1 convolution and batch norm), when the shape changes.
  public let downsample: Sequential?

  /// A block from `inChannels` to `4 · planes` channels.
  ///
  /// - Parameters:
  ///   - stride: the stride of `conv2` (and of the shortcut).
  ///   - dilation: the dilation (and padding) of `conv2`.
  ///   - downsample: the shortcut projection, or nil for the identity.
  public init(
    _ inChannels: Int, _ planes: Int, stride: Int = 1, dilation: Int = 1, downsample: Sequential? = nil,
    rng: inout RandomGenerator
  ) {
    conv1 = Conv2d(inChannels, planes, kernelSize: 1, bias: false, rng: &rng)
    bn1 = BatchNorm2d(planes)
    conv2 = Conv2d(
      planes, planes, kernelSize: 3, stride: Size2D(stride), padding: Size2D(dilation), dilation: Size2D(dilation),
      bias: false, rng: &rng)
    bn2 = BatchNorm2d(planes)
    conv3 = Conv2d(planes, planes * Self.expansion, kernelSize: 1, bias: false, rng: &rng)
    bn3 = BatchNorm2d(planes * Self.expansion)
    self.downsample = downsample
    super.init()
    registerModule("conv1", conv1)
    registerModule("bn1", bn1)
    registerModule("conv2", conv2)
    registerModule("bn2", bn2)
    registerModule("conv3", conv3)
    registerModule("bn3", bn3)
    registerModule("relu", relu)
    if let downsample { registerModule("downsample", downsample) }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    var out = relu(bn1(conv1(x)))
    out = relu(bn2(conv2(out)))
    out = bn3(conv3(out))
    let identity = downsample.map { $0(x) } ?? x
    precondition(
      out.shape == identity.shape,
      "Bottleneck: residual shape \(out.shape) differs from shortcut shape \(identity.shape) (input \(x.shape))")
    return (out + identity).relu()
  }
}
