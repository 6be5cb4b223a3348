import AuxEngine
import AuxNN

/// What the trainer needs from a model: a shared encoder, one head per task, and their parameters.
///
/// The trainer runs `encode` once per input batch, wraps the features in
/// ``AuxMTL/SharedFeatures`` and runs each task's head on its own alias, so every weighting method
/// gets per-task feature gradients from a single decoder pass.
public protocol MultiTaskNetwork: AnyObject {
  /// The whole model (its state dict is what checkpoints save; train/eval mode propagates).
  var module: Module { get }
  /// The shared (encoder) parameters.
  var encoderParameters: [Parameter] { get }
  /// Task `task`'s head parameters (disjoint from every other task's and from the encoder's).
  func headParameters(_ task: Int) -> [Parameter]
  /// The shared features of `images` (`[N, C, H, W]`). `task` is the task whose batch this is in
  /// multi-input training (for task-conditional batch norm); nil when one batch serves all tasks.
  func encode(_ images: Tensor, task: Int?) -> Tensor
  /// Task `task`'s raw output from shared features; dense heads upsample to `inputSize` (H, W).
  func decode(_ features: Tensor, task: Int, inputSize: Size2D) -> Tensor
  /// Channels of the stage outputs ``encodeStages(_:)`` gives, or nil when the network does not
  /// expose its stages (then it cannot take a training-only auxiliary module).
  var stageChannels: [Int]? { get }
  /// The encoder's stage outputs for one batch shared by all tasks, the last being the features.
  func encodeStages(_ images: Tensor) -> [Tensor]
}

extension MultiTaskNetwork {
  /// None by default.
  public var stageChannels: [Int]? { nil }
  /// The features alone by default.
  public func encodeStages(_ images: Tensor) -> [Tensor] { [encode(images, task: nil)] }

  /// Every parameter of the model, with dotted names (for the optimiser and its state).
  public var namedParameters: [(name: String, parameter: Parameter)] {
    module.namedParameters().map { (name: $0.0, parameter: $0.1) }
  }
}
