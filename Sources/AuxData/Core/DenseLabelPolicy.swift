/// How a dense label follows the image through spatial augmentation.
///
/// Defaults come from the label's ``LabelKind`` (``DenseLabelPolicy/default(for:)``); a dataset
/// overrides them through ``MultiTaskDataset/denseLabelPolicies`` where the label's meaning
/// requires it (depth is divided by the zoom factor, disparity multiplied, Cityscapes pads
/// disparity with −1).
public struct DenseLabelPolicy: Sendable, Equatable {
  /// Resampling used when a crop is resized back (random scale crop).
  public enum Interpolation: Sendable, Equatable {
    /// Nearest neighbour, PyTorch `F.interpolate(mode="nearest")` index rule.
    case nearest
    /// Bilinear with `align_corners=True`, as MTAN resizes images and normals. Unit-vector labels
    /// are renormalised afterwards.
    case bilinear
  }

  /// How values change when the image is zoomed in by a factor `s` (random scale crop).
  public enum ValueScaling: Sendable, Equatable {
    /// Values are unchanged (classes, normals, intensities).
    case none
    /// Values are divided by `s` (depth: a zoomed view looks `s` times closer).
    case divideByScale
    /// Values are multiplied by `s` (disparity, the inverse of depth).
    case multiplyByScale
  }

  /// Resampling used by random scale crops.
  public var interpolation: Interpolation
  /// The value written where a crop extends past the image (its mask is 0 there).
  public var padValue: Float
  /// How values change with the zoom factor of a random scale crop.
  public var valueScaling: ValueScaling

  public init(interpolation: Interpolation, padValue: Float, valueScaling: ValueScaling = .none) {
    self.interpolation = interpolation
    self.padValue = padValue
    self.valueScaling = valueScaling
  }

  /// The policy for a kind: class maps nearest and padded with their ignore index; regression
  /// maps nearest and padded with 0 (masked out); unit-vector maps bilinear and padded with 0
  /// (masked out). Non-dense kinds are never resampled (their policy is unused).
  public static func `default`(for kind: LabelKind) -> DenseLabelPolicy {
    switch kind {
    case .denseClass(_, let ignore): DenseLabelPolicy(interpolation: .nearest, padValue: Float(ignore))
    case .denseRegression: DenseLabelPolicy(interpolation: .nearest, padValue: 0)
    case .unitVector: DenseLabelPolicy(interpolation: .bilinear, padValue: 0)
    case .classIndex, .softLabel: DenseLabelPolicy(interpolation: .nearest, padValue: 0)
    }
  }
}

extension MultiTaskDataset {
  /// Per-task overrides of ``DenseLabelPolicy/default(for:)``; none by default.
  public var denseLabelPolicies: [String: DenseLabelPolicy] { [:] }

  /// The policy augmentation uses for `task`: the dataset's override or the kind's default.
  public func denseLabelPolicy(for task: TaskLabelSpec) -> DenseLabelPolicy {
    denseLabelPolicies[task.name] ?? .default(for: task.kind)
  }
}
