import AuxEngine

/// Bilinear resizing of `[N, C, H, W]` inputs to a fixed size or by a scale factor (PyTorch's
/// `nn.Upsample(mode="bilinear")`, whose `align_corners` defaults to false).
///
/// See ``AuxEngine/Tensor/upsampleBilinear2d(size:alignCorners:)`` for the source-index formulas.
public final class UpsampleBilinear2d: Module, Layer {
  /// The target: a fixed output size or a scale factor (height, width).
  public enum Target: Sendable {
    case size(Size2D)
    case scaleFactor(height: Double, width: Double)
  }

  public let target: Target
  public let alignCorners: Bool

  /// Resizes to `size`.
  public init(size: Size2D, alignCorners: Bool = false) {
    target = .size(size)
    self.alignCorners = alignCorners
    super.init()
  }

  /// Resizes by `scaleFactor` in both dimensions (output size `⌊in · scale⌋`).
  public init(scaleFactor: Double, alignCorners: Bool = false) {
    target = .scaleFactor(height: scaleFactor, width: scaleFactor)
    self.alignCorners = alignCorners
    super.init()
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    switch target {
    case .size(let s): x.upsampleBilinear2d(size: s, alignCorners: alignCorners)
    case .scaleFactor(let h, let w): x.upsampleBilinear2d(scaleFactor: (h, w), alignCorners: alignCorners)
    }
  }
}
