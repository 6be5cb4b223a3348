import AuxEngine

/// The image-pooling branch of ASPP (torchvision's `ASPPPooling`): global average pooling, 1×1
/// convolution without bias, batch norm, ReLU, then bilinear resizing (`align_corners=False`) back
/// to the input's spatial size.
///
/// Children `0` (pooling), `1` (convolution), `2` (batch norm), `3` (ReLU), as torchvision's
/// `nn.Sequential`. In training mode the batch norm sees one value per image and channel, so a
/// batch needs at least two images (PyTorch refuses a single one too).
public final class ASPPPooling: Module, Layer {
  public let pool = AdaptiveAvgPool2d(outputSize: 1)
  public let conv: Conv2d
  public let bn: BatchNorm2d
  public let relu = ReLU()

  public init(_ inChannels: Int, _ outChannels: Int, rng: inout RandomGenerator) {
    conv = Conv2d(inChannels, outChannels, kernelSize: 1, bias: false, rng: &rng)
    bn = BatchNorm2d(outChannels)
    super.init()
    registerModule("0", pool)
    registerModule("1", conv)
    registerModule("2", bn)
    registerModule("3", relu)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    let y = relu(bn(conv(pool(x))))
    return y.upsampleBilinear2d(size: Size2D(x.shape[2], x.shape[3]), alignCorners: false)
  }
}
