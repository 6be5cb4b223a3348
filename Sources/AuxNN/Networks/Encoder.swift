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
  /// Channels of the maps ``stageFeatures(_:task:)`` returns, in order (the last is
  /// ``featureChannels``). Defaults to the feature map alone.
  var stageChannels: [Int] { get }
  /// The outputs of the encoder's stages for `input`, shallow to deep, the last being
  /// ``features(_:task:)``'s map, all from one forward pass (what a training-only auxiliary module
  /// reads). Defaults to the feature map alone.
  func stageFeatures(_ input: Tensor, task: Int) -> [Tensor]
}

extension Encoder {
  /// Ordinary encoders are shared by all tasks: nil.
  public var conditionalTaskCount: Int? { nil }

  /// One stage: the feature map.
  public var stageChannels: [Int] { [featureChannels] }

  /// One stage: the feature map.
  public func stageFeatures(_ input: Tensor, task: Int) -> [Tensor] { [features(input, task: task)] }

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
