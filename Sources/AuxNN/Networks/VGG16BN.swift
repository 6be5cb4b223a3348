import AuxEngine

/// VGG-16 with batch normalisation, the convolutional part of torchvision's `vgg16_bn` (its
/// `features`), as a shared encoder.
///
/// Layout (torchvision's configuration "D"): conv3×3 (padding 1, with bias)–BN–ReLU stages of
/// 64, 64, M, 128, 128, M, 256 ×3, M, 512 ×3, M, 512 ×3, M, where M is 2×2 max pooling; output
/// stride 32 and 512 channels. Modules are registered as torchvision's: `features.0` (conv),
/// `features.1` (batch norm), `features.2` (ReLU), …, so the `features.*` entries of a torchvision
/// `vgg16_bn` state dict load (skip its `classifier.`). torchvision's `avgpool` and fully connected
/// classifier are not part of the encoder.
///
/// Initialisation as torchvision's `VGG`: convolutions Kaiming normal (fan-out, gain √2) with zero
/// bias, batch norm weight 1 and bias 0.
public final class VGG16BN: Module, Encoder, Layer {
  /// The stage plan: channel counts, nil for a 2×2 max pooling.
  public static let configuration: [Int?] = [64, 64, nil, 128, 128, nil, 256, 256, 256, nil, 512, 512, 512, nil, 512, 512, 512, nil]

  /// The layers of `features`, in order.
  public let features: Sequential
  public let inChannels: Int
  public let featureChannels: Int
  public let outputStride: Int

  /// VGG-16-BN, or another plan with the same layer types (`configuration`: channel counts, nil for
  /// 2×2 max pooling; a narrower plan keeps torchvision's module numbering, for tests).
  public init(configuration: [Int?] = VGG16BN.configuration, inChannels: Int = 3, rng: inout RandomGenerator) {
    precondition(configuration.contains { $0 != nil }, "VGG16BN: the plan \(configuration) has no convolution")
    self.inChannels = inChannels
    featureChannels = configuration.compactMap { $0 }.last!
    outputStride = 1 << configuration.filter { $0 == nil }.count
    var layers: [any Layer] = []
    var c = inChannels
    for entry in configuration {
      guard let o = entry else {
        layers.append(MaxPool2d(kernelSize: 2, stride: 2))
        continue
      }
      let conv = Conv2d(c, o, kernelSize: 3, padding: 1, rng: &rng)
      conv.weight.assign(Initializers.kaimingNormal(conv.weight.shape, nonlinearity: .relu, fanOut: true, using: &rng))
      conv.bias?.assign(Tensor.zeros([o]))
      layers += [conv, BatchNorm2d(o), ReLU()]
      c = o
    }
    features = Sequential(layers)
    super.init()
    registerModule("features", features)
  }

  public func features(_ input: Tensor, task: Int) -> Tensor { self(input) }

  /// The feature map `[N, 512, H/32, W/32]` (for the VGG-16 plan).
  public func callAsFunction(_ input: Tensor) -> Tensor {
    precondition(
      input.rank == 4 && input.shape[1] == inChannels, "VGG16BN: input of shape \(input.shape) must be [N, \(inChannels), H, W]")
    return features(input)
  }
}
