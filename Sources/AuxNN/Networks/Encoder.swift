import AuxEngine

/// The shared trunk of a multi-task network: it maps an image batch to one feature map that every
/// task head reads.
///
/// Ordinary encoders (``ResNet``, ``VGG16BN``, ``ReferenceCNN``) are the same for every task and
/// ignore the `task` argument of ``features(_:task:)``. A task-conditional encoder
/// (``TaskConditionalVGG16``, one batch-norm layer per task in every block) normalises with task
/// `task`'s statistics; it reports the number of tasks in ``conditionalTaskCount`` and is run once
/// per task batch.
public protocol Encoder: Module {
  /// Channels of the feature map (`C` in `[N, C, H/s, W/s]`).
  var featureChannels: Int { get }
  /// The ratio of input size to feature-map size `s` (e.g. 8 for a dilated ResNet at output stride
  /// 8, 32 for a plain ResNet). For input sizes that are not multiples of `s` the feature map has
  /// PyTorch's rounding.
  var outputStride: Int { get }
  /// The number of tasks with their own normalisation layers, or nil when all tasks share the whole
  /// encoder.
  var conditionalTaskCount: Int? { get }
  /// The feature map of `input` (`[N, 3, H, W]` for image encoders) as seen by task `task`
  /// (0-based; ignored unless the encoder is task-conditional).
  func features(_ input: Tensor, task: Int) -> Tensor
}

extension Encoder {
  public var conditionalTaskCount: Int? { nil }

  /// The feature map of `input` for an encoder shared by all tasks.
  ///
  /// Stops the program for a task-conditional encoder, which needs ``features(_:task:)``.
  public func features(_ input: Tensor) -> Tensor {
    precondition(
      conditionalTaskCount == nil,
      "\(type(of: self)).features: this encoder is task-conditional (\(conditionalTaskCount ?? 0) tasks); call features(_:task:) (input shape \(input.shape))")
    return features(input, task: 0)
  }
}
