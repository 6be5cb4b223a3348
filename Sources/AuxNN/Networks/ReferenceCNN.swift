import AuxEngine

/// The small reference encoder of the engine issue: five conv3×3–BN–ReLU blocks 3→32, 32→64
/// (stride 2), 64→64, 64→128 (stride 2), 128→128 (dilation 2), output stride 4.
///
/// Convolutions have no bias (the batch norm that follows makes one redundant) and PyTorch's
/// default initialisation. Blocks are registered as `0` … `4`, each an `nn.Sequential(conv, bn,
/// relu)`, so names match `scripts/bench/torch_step.py` (`0.0.weight`, `0.1.running_mean`, …).
public final class ReferenceCNN: Module, Encoder, Layer {
  /// The five blocks, in order.
  public let blocks: [Sequential]
  /// Input channels (3 for RGB).
  public let inChannels: Int

  /// 128.
  public var featureChannels: Int { 128 }
  /// 4 (two stride-2 blocks).
  public var outputStride: Int { 4 }

  /// The reference encoder for `inChannels`-channel inputs, initialised from `rng`.
  public init(inChannels: Int = 3, rng: inout RandomGenerator) {
    self.inChannels = inChannels
    let plan: [(Int, Int, Int, Int)] = [(inChannels, 32, 1, 1), (32, 64, 2, 1), (64, 64, 1, 1), (64, 128, 2, 1), (128, 128, 1, 2)]
    blocks = plan.map { c, o, s, d in
      Sequential(
        Conv2d(c, o, kernelSize: 3, stride: Size2D(s), padding: Size2D(d), dilation: Size2D(d), bias: false, rng: &rng),
        BatchNorm2d(o), ReLU())
    }
    super.init()
    for (i, b) in blocks.enumerated() { registerModule(String(i), b) }
  }

  public func features(_ input: Tensor, task: Int) -> Tensor { self(input) }

  /// Three stages: after block 1 (64 channels, stride 2), block 3 (128, stride 4) and block 4 (the
  /// features).
  public var stageChannels: [Int] { [64, 128, 128] }

  /// The outputs of blocks 1, 3 and 4 of one forward pass.
  public func stageFeatures(_ input: Tensor, task: Int) -> [Tensor] {
    precondition(
      input.rank == 4 && input.shape[1] == inChannels,
      "ReferenceCNN: input of shape \(input.shape) must be [N, \(inChannels), H, W]")
    var x = input
    var stages: [Tensor] = []
    for (i, b) in blocks.enumerated() {
      x = b(x)
      if i == 1 || i == 3 || i == 4 { stages.append(x) }
    }
    return stages
  }

  /// The feature map `[N, 128, ⌈H/4⌉, ⌈W/4⌉]` of an `[N, inChannels, H, W]` input.
  public func callAsFunction(_ input: Tensor) -> Tensor {
    precondition(
      input.rank == 4 && input.shape[1] == inChannels,
      "ReferenceCNN: input of shape \(input.shape) must be [N, \(inChannels), H, W]")
    var x = input
    for b in blocks { x = b(x) }
    return x
  }
}
