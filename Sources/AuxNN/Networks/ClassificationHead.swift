import AuxEngine

/// A linear classifier over globally average-pooled features (torchvision's `avgpool` + `fc`;
/// Auto-Lambda's per-task `Linear(512, 5)` of multi-domain CIFAR-100).
///
/// `[N, C, h, w]` features are averaged over `h × w` (`adaptive_avg_pool2d(x, 1)`), flattened to
/// `[N, C]` and passed to the child `fc` (`nn.Linear`, PyTorch's default initialisation); `[N, C]`
/// features go to `fc` directly. The output is `[N, classes]` logits.
public final class ClassificationHead: Module, TaskHead {
  public let fc: Linear
  public var inChannels: Int { fc.inFeatures }
  public var outChannels: Int { fc.outFeatures }

  public init(_ inChannels: Int, classes: Int, rng: inout RandomGenerator) {
    fc = Linear(inChannels, classes, rng: &rng)
    super.init()
    registerModule("fc", fc)
  }

  public func callAsFunction(_ features: Tensor, inputSize: Size2D) -> Tensor {
    switch features.rank {
    case 2:
      return fc(features)
    case 4:
      precondition(
        features.shape[1] == inChannels,
        "ClassificationHead(\(inChannels)→\(outChannels)): features of shape \(features.shape) must have \(inChannels) channels")
      let n = features.shape[0]
      let pooled = features.shape[2] == 1 && features.shape[3] == 1 ? features : features.adaptiveAvgPool2d(outputSize: 1)
      return fc(pooled.reshaped([n, inChannels]))
    default:
      preconditionFailure("ClassificationHead: features of shape \(features.shape) must be [N, C, h, w] or [N, C]")
    }
  }
}
