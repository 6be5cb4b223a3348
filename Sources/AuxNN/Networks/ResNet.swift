import AuxEngine

/// ResNet-18/34/50 with torchvision's exact layout, names and initialisation, optionally dilated
/// to output stride 16 or 8 as DeepLab does.
///
/// Children, as in `torchvision.models.resnet`: `conv1` (7×7, stride 2, no bias), `bn1`, `relu`,
/// `maxpool` (3×3, stride 2, padding 1), `layer1` … `layer4` (`nn.Sequential` of ``BasicBlock`` or
/// ``Bottleneck``, numbered from 0), and `avgpool` + `fc` when the network classifies. A
/// torchvision state dict therefore loads with ``Module/loadStateDict(_:strict:source:)`` (use
/// `skipping: ["fc."]` in ``Module/loadState(from:prefix:skipping:strict:)`` to drop the ImageNet
/// classifier when the network is an encoder).
///
/// Dilation follows torchvision's `replace_stride_with_dilation`: a replaced stage keeps stride 1
/// and multiplies the dilation by 2; its first block's strided convolution keeps the previous
/// dilation, the rest use the new one (see ``BasicBlock`` for the basic-block case, which
/// torchvision refuses). Output stride 16 replaces layer4's stride, 8 replaces layer3's and
/// layer4's.
///
/// Initialisation as torchvision: convolutions Kaiming normal with fan-out and gain √2, batch norm
/// weight 1 and bias 0, the classifier with `nn.Linear`'s default; optionally the last batch norm
/// of every residual branch zeroed (`zero_init_residual`). The numbers differ from PyTorch's for
/// the same seed (a different generator).
public final class ResNet: Module, Encoder {
  /// The residual block type.
  public enum BlockKind: String, Sendable {
    case basic, bottleneck
    /// Output channels per plane (1 or 4).
    public var expansion: Int { self == .basic ? BasicBlock.expansion : Bottleneck.expansion }
  }

  /// A depth: the block type and the number of blocks per stage.
  public struct Architecture: Sendable, Equatable {
    public var block: BlockKind
    public var blocks: [Int]
    public init(block: BlockKind, blocks: [Int]) {
      precondition(blocks.count == 4 && blocks.allSatisfy { $0 > 0 }, "ResNet.Architecture: need four positive block counts, got \(blocks)")
      self.block = block
      self.blocks = blocks
    }
    /// torchvision's `resnet18`: basic blocks [2, 2, 2, 2].
    public static let resnet18 = Architecture(block: .basic, blocks: [2, 2, 2, 2])
    /// torchvision's `resnet34`: basic blocks [3, 4, 6, 3].
    public static let resnet34 = Architecture(block: .basic, blocks: [3, 4, 6, 3])
    /// torchvision's `resnet50`: bottleneck blocks [3, 4, 6, 3].
    public static let resnet50 = Architecture(block: .bottleneck, blocks: [3, 4, 6, 3])

    /// `resnet18`, `resnet34` or `resnet50`.
    public static func named(_ name: String) -> Architecture? {
      switch name.lowercased() {
      case "resnet18": .resnet18
      case "resnet34": .resnet34
      case "resnet50": .resnet50
      default: nil
      }
    }
  }

  public let architecture: Architecture
  public let conv1: Conv2d
  public let bn1: BatchNorm2d
  public let relu = ReLU()
  public let maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
  /// The four stages.
  public let stages: [Sequential]
  public let avgpool: AdaptiveAvgPool2d?
  /// The classifier, when the network was made with `classes`.
  public let fc: Linear?
  /// Channels of the stem and the first stage's planes (64 in torchvision).
  public let baseChannels: Int
  /// Which of layer2, layer3, layer4 trade their stride for dilation.
  public let replaceStrideWithDilation: [Bool]
  public let featureChannels: Int
  public let outputStride: Int

  /// A ResNet.
  ///
  /// - Parameters:
  ///   - architecture: `.resnet18`, `.resnet34`, `.resnet50` or custom block counts.
  ///   - replaceStrideWithDilation: torchvision's argument, for layer2, layer3 and layer4.
  ///   - classes: adds `avgpool` and `fc` with this many outputs (1000 for ImageNet), or nil for an
  ///     encoder only.
  ///   - baseChannels: 64 in torchvision; smaller values make a narrow network with the same layout
  ///     (stage `k` has `baseChannels · 2^k` planes), for tests and small experiments.
  ///   - zeroInitResidual: torchvision's `zero_init_residual`.
  public init(
    _ architecture: Architecture, replaceStrideWithDilation: [Bool] = [false, false, false], classes: Int? = nil,
    baseChannels: Int = 64, inChannels: Int = 3, zeroInitResidual: Bool = false, rng: inout RandomGenerator
  ) {
    precondition(
      replaceStrideWithDilation.count == 3,
      "ResNet: replaceStrideWithDilation needs 3 values (layer2, layer3, layer4), got \(replaceStrideWithDilation)")
    precondition(baseChannels > 0 && inChannels > 0, "ResNet: channel counts must be positive, got base \(baseChannels), input \(inChannels)")
    self.architecture = architecture
    self.baseChannels = baseChannels
    self.replaceStrideWithDilation = replaceStrideWithDilation
    let expansion = architecture.block.expansion
    conv1 = Conv2d(inChannels, baseChannels, kernelSize: 7, stride: 2, padding: 3, bias: false, rng: &rng)
    bn1 = BatchNorm2d(baseChannels)

    var inplanes = baseChannels
    var dilation = 1
    var stages: [Sequential] = []
    var stride = 4
    for stage in 0..<4 {
      let planes = baseChannels << stage
      var s = stage == 0 ? 1 : 2
      let previousDilation = dilation
      if stage > 0 && replaceStrideWithDilation[stage - 1] {
        dilation *= s
        s = 1
      }
      stride *= s
      var downsample: Sequential?
      if s != 1 || inplanes != planes * expansion {
        downsample = Sequential(
          Conv2d(inplanes, planes * expansion, kernelSize: 1, stride: Size2D(s), bias: false, rng: &rng),
          BatchNorm2d(planes * expansion))
      }
      var blocks: [any Layer] = []
      for b in 0..<architecture.blocks[stage] {
        let first = b == 0
        switch architecture.block {
        case .basic:
          blocks.append(
            BasicBlock(
              inplanes, planes, stride: first ? s : 1, dilation: (first ? previousDilation : dilation, dilation),
              downsample: first ? downsample : nil, rng: &rng))
        case .bottleneck:
          blocks.append(
            Bottleneck(
              inplanes, planes, stride: first ? s : 1, dilation: first ? previousDilation : dilation,
              downsample: first ? downsample : nil, rng: &rng))
        }
        inplanes = planes * expansion
      }
      stages.append(Sequential(blocks))
    }
    self.stages = stages
    featureChannels = inplanes
    outputStride = stride
    if let classes {
      avgpool = AdaptiveAvgPool2d(outputSize: 1)
      fc = Linear(inplanes, classes, rng: &rng)
    } else {
      avgpool = nil
      fc = nil
    }
    super.init()
    registerModule("conv1", conv1)
    registerModule("bn1", bn1)
    registerModule("relu", relu)
    registerModule("maxpool", maxpool)
    for (i, s) in stages.enumerated() { registerModule("layer\(i + 1)", s) }
    if let avgpool, let fc {
      registerModule("avgpool", avgpool)
      registerModule("fc", fc)
    }

    for (_, m) in namedModules() {
      guard let conv = m as? Conv2d else { continue }
      conv.weight.assign(Initializers.kaimingNormal(conv.weight.shape, nonlinearity: .relu, fanOut: true, using: &rng))
    }
    if zeroInitResidual {
      for (_, m) in namedModules() {
        if let b = m as? BasicBlock { b.bn2.weight?.assign(Tensor.zeros([b.bn2.numFeatures])) }
        if let b = m as? Bottleneck { b.bn3.weight?.assign(Tensor.zeros([b.bn3.numFeatures])) }
      }
    }
  }

  /// A ResNet dilated to `outputStride` 32 (none), 16 (layer4) or 8 (layer3 and layer4), as DeepLab
  /// uses it.
  public convenience init(
    _ architecture: Architecture, outputStride: Int, classes: Int? = nil, baseChannels: Int = 64, inChannels: Int = 3,
    rng: inout RandomGenerator
  ) {
    let replace: [Bool]
    switch outputStride {
    case 32: replace = [false, false, false]
    case 16: replace = [false, false, true]
    case 8: replace = [false, true, true]
    default: preconditionFailure("ResNet: output stride must be 8, 16 or 32, got \(outputStride)")
    }
    self.init(
      architecture, replaceStrideWithDilation: replace, classes: classes, baseChannels: baseChannels,
      inChannels: inChannels, rng: &rng)
  }

  /// The stem: conv1, bn1, relu, maxpool.
  public func stem(_ x: Tensor) -> Tensor {
    precondition(
      x.rank == 4 && x.shape[1] == conv1.inChannels,
      "ResNet: input of shape \(x.shape) must be [N, \(conv1.inChannels), H, W]")
    return maxpool(relu(bn1(conv1(x))))
  }

  /// The output of layer4, `[N, featureChannels, H/s, W/s]` (torchvision's `_forward_impl` up to
  /// `layer4`).
  public func features(_ input: Tensor, task: Int) -> Tensor {
    var x = stem(input)
    for s in stages { x = s(x) }
    return x
  }

  /// The classifier's logits `[N, classes]` (torchvision's `forward`): global average pooling of
  /// the features, flattened, then `fc`.
  public func logits(_ input: Tensor) -> Tensor {
    guard let avgpool, let fc else {
      preconditionFailure("ResNet.logits: this ResNet was made without a classifier (classes: nil); input \(input.shape)")
    }
    let pooled = avgpool(features(input))
    return fc(pooled.reshaped([pooled.shape[0], featureChannels]))
  }
}
