import AuxEngine

/// The DeepLab-v3 head (torchvision's `DeepLabHead`; the IAL and Auto-Lambda decoders): ``ASPP``,
/// then a 3×3 convolution without bias, batch norm, ReLU, and a 1×1 classifier convolution.
///
/// Children `0` (ASPP), `1` (3×3 convolution), `2` (batch norm), `3` (ReLU), `4` (1×1 convolution
/// with bias), as torchvision's `nn.Sequential`, so the `classifier.*` entries of a torchvision
/// `deeplabv3_resnet50` state dict load into it (prefix `classifier.`). PyTorch's default
/// initialisation. The output is resized to the input size when ``upsampling`` says so
/// (torchvision's and IAL's models resize bilinearly with `align_corners=False`).
public final class DeepLabHead: Module, TaskHead {
  public let aspp: ASPP
  public let conv: Conv2d
  public let bn: BatchNorm2d
  public let relu = ReLU()
  public let classifier: Conv2d
  public let upsampling: DenseUpsampling
  public var inChannels: Int { aspp.inChannels }
  public let outChannels: Int

  /// - Parameters:
  ///   - rates: ASPP's atrous rates (12, 24, 36 in torchvision, IAL and Auto-Lambda).
  ///   - width: channels inside the head (256 in torchvision).
  ///   - dropout: ASPP's projection dropout (0.5 in torchvision; 0 for Auto-Lambda's layout).
  public init(
    _ inChannels: Int, _ outChannels: Int, rates: [Int] = [12, 24, 36], width: Int = 256, dropout: Float = 0.5,
    upsampling: DenseUpsampling = .bilinear, rng: inout RandomGenerator
  ) {
    self.outChannels = outChannels
    self.upsampling = upsampling
    aspp = ASPP(inChannels, rates: rates, outChannels: width, dropout: dropout, rng: &rng)
    conv = Conv2d(width, width, kernelSize: 3, padding: 1, bias: false, rng: &rng)
    bn = BatchNorm2d(width)
    classifier = Conv2d(width, outChannels, kernelSize: 1, rng: &rng)
    super.init()
    registerModule("0", aspp)
    registerModule("1", conv)
    registerModule("2", bn)
    registerModule("3", relu)
    registerModule("4", classifier)
  }

  public func callAsFunction(_ features: Tensor, inputSize: Size2D) -> Tensor {
    upsampling.apply(classifier(relu(bn(conv(aspp(features))))), inputSize: inputSize)
  }
}
