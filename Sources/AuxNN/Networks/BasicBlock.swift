import AuxEngine

/// ResNet's basic residual block (torchvision's `BasicBlock`): two 3×3 convolutions with batch
/// norm, `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`.
///
/// Children, as in torchvision: `conv1`, `bn1`, `relu`, `conv2`, `bn2` and, when the shape changes,
/// `downsample` (`0`: 1×1 convolution with the block's stride, `1`: batch norm). Convolutions have
/// no bias.
///
/// Dilation: torchvision's `BasicBlock` refuses dilation > 1. Here the two convolutions take their
/// own dilation, so that a dilated stage can follow the convention of the dilated ResNets used with
/// DeepLab heads (MTI-Net's and Auto-Lambda's `ResnetDilated`): the first convolution of the
/// stage's first block keeps the previous stage's dilation (it was the strided one), every other
/// 3×3 convolution of the stage uses the stage's dilation. For ``Bottleneck`` blocks this coincides
/// with torchvision's `replace_stride_with_dilation`.
public final class BasicBlock: Module, Layer {
  /// Output channels per input-plane unit: 1.
  public static let expansion = 1
  public let conv1: Conv2d
  public let bn1: BatchNorm2d
  public let relu = ReLU()
  public let conv2: Conv2d
  public let bn2: BatchNorm2d
  /// The projection shortcut (1×1 convolution and batch norm), when the shape changes.
  public let downsample: Sequential?

  /// A block from `inChannels` to `planes` channels.
  ///
  /// - Parameters:
  ///   - stride: the stride of `conv1` (and of the shortcut).
  ///   - dilation: dilations of `conv1` and `conv2` (padding equals dilation).
  ///   - downsample: the shortcut projection, or nil for the identity.
  public init(
    _ inChannels: Int, _ planes: Int, stride: Int = 1, dilation: (first: Int, second: Int) = (1, 1),
    downsample: Sequential? = nil, rng: inout RandomGenerator
  ) {
    conv1 = Conv2d(
      inChannels, planes, kernelSize: 3, stride: Size2D(stride), padding: Size2D(dilation.first),
      dilation: Size2D(dilation.first), bias: false, rng: &rng)
    bn1 = BatchNorm2d(planes)
    conv2 = Conv2d(
      planes, planes, kernelSize: 3, padding: Size2D(dilation.second), dilation: Size2D(dilation.second), bias: false,
      rng: &rng)
    bn2 = BatchNorm2d(planes)
    self.downsample = downsample
    super.init()
    registerModule("conv1", conv1)
    registerModule("bn1", bn1)
    registerModule("relu", relu)
    registerModule("conv2", conv2)
    registerModule("bn2", bn2)
    if let downsample { registerModule("downsample", downsample) }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    let out = bn2(conv2(relu(bn1(conv1(x)))))
    let identity = downsample.map { $0(x) } ?? x
    precondition(
      out.shape == identity.shape,
      "BasicBlock: residual shape \(out.shape) differs from shortcut shape \(identity.shape) (input \(x.shape))")
    return (out + identity).relu()
  }
}
