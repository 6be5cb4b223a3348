import AuxEngine

/// One example: an input image and a label (plus, for masked kinds, a validity mask) per task.
public struct Sample: Sendable {
  /// The input, `[C, H, W]`.
  public var image: Tensor
  /// Labels by task name; shapes follow the task's ``LabelKind``.
  public var labels: [String: Tensor]
  /// Validity masks (`[1, H, W]`, 1 = valid) for `denseRegression` and `unitVector` tasks.
  public var masks: [String: Tensor]

  public init(image: Tensor, labels: [String: Tensor], masks: [String: Tensor] = [:]) {
    self.image = image
    self.labels = labels
    self.masks = masks
  }
}

/// A batch: samples stacked along a new first dimension.
public struct Batch: Sendable {
  /// Inputs, `[N, C, H, W]`.
  public var images: Tensor
  /// Labels by task name, each with a leading batch dimension.
  public var labels: [String: Tensor]
  /// Validity masks by task name, `[N, 1, H, W]`.
  public var masks: [String: Tensor]
  /// Dataset indices of the samples, in batch order.
  public var indices: [Int]

  public init(images: Tensor, labels: [String: Tensor], masks: [String: Tensor] = [:], indices: [Int]) {
    self.images = images
    self.labels = labels
    self.masks = masks
    self.indices = indices
  }

  /// Number of samples.
  public var count: Int { images.shape.first ?? 0 }
}
