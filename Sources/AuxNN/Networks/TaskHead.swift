import AuxEngine

/// How a dense head brings its output back to the input's resolution.
public enum DenseUpsampling: Sendable, Equatable {
  /// The head's output stays at the feature map's resolution.
  case none
  /// Bilinear resizing to the input's height and width (`F.interpolate(mode="bilinear", size=...)`),
  /// with `align_corners` as given (false is PyTorch's default and what torchvision's DeepLab and
  /// the IAL code use; Auto-Lambda's dense models use true).
  case toInput(alignCorners: Bool)

  /// Bilinear resizing to the input size with `align_corners=False`.
  public static let bilinear = DenseUpsampling.toInput(alignCorners: false)

  /// Applies the resizing to `output` for an input of spatial size `inputSize`.
  public func apply(_ output: Tensor, inputSize: Size2D) -> Tensor {
    switch self {
    case .none: return output
    case .toInput(let alignCorners):
      if output.shape[2] == inputSize.height && output.shape[3] == inputSize.width { return output }
      return output.upsampleBilinear2d(size: inputSize, alignCorners: alignCorners)
    }
  }
}

/// A task-specific decoder that turns the shared feature map into the task's prediction.
///
/// Dense heads (``DeepLabHead``, ``ConvHead``) output `[N, K, H, W]` maps, resized to the input's
/// size when their ``DenseUpsampling`` says so; ``ClassificationHead`` outputs `[N, K]` logits and
/// ignores the input size.
public protocol TaskHead: Module {
  /// Channels of the feature map the head reads.
  var inChannels: Int { get }
  /// Channels (dense heads) or classes (classification heads) of the prediction.
  var outChannels: Int { get }
  /// The prediction for `features` (`[N, inChannels, h, w]`) of an input whose spatial size was
  /// `inputSize`.
  func callAsFunction(_ features: Tensor, inputSize: Size2D) -> Tensor
}
