import AuxEngine

/// The metrics of a two-class dense map (an edge map, a foreground mask): mIoU and pixel accuracy
/// of ``SegmentationMetric``, then the F-measure, precision and recall of class 1 at a fixed
/// threshold on its probability (``EdgeFMeasure``, not the MATLAB odsF).
///
/// Predictions are `[N, 2, H, W]` logits; class 1's probability is `softmax(logits)[:, 1]`.
/// Targets are `[N, H, W]` class indices; pixels equal to the ignore index (or with a zero mask)
/// count for neither part.
public struct BinaryMapMetric: Metric {
  public let name = "binary-map"
  public private(set) var segmentation: SegmentationMetric
  public private(set) var foreground: EdgeFMeasure
  public let ignoreIndex: Int

  /// A metric for maps with classes 0 and 1 and `ignoreIndex`; class 1 is predicted where its
  /// probability is at least `threshold`.
  public init(ignoreIndex: Int = -1, threshold: Float = 0.5) {
    self.ignoreIndex = ignoreIndex
    segmentation = SegmentationMetric(classes: 2, ignoreIndex: ignoreIndex)
    foreground = EdgeFMeasure(threshold: threshold)
  }

  public mutating func update(predictions: Tensor, targets: Tensor, masks: Tensor?) {
    precondition(
      predictions.rank == 4 && predictions.shape[1] == 2,
      "BinaryMapMetric: predictions must be [N, 2, H, W] logits, got \(predictions.shape)")
    segmentation.update(predictions: predictions, targets: targets, masks: masks)
    let probability = predictions.softmax(axis: 1).sliced(axis: 1, range: 1..<2)
    let ignore = Float(ignoreIndex)
    var valid = targets.scalars.map { $0 == ignore ? Float(0) : 1 }
    if let masks {
      precondition(
        masks.count == valid.count,
        "BinaryMapMetric: masks have \(masks.count) elements for \(valid.count) pixels")
      for (i, m) in masks.scalars.enumerated() where m == 0 { valid[i] = 0 }
    }
    foreground.update(
      predictions: probability, targets: targets, masks: Tensor(shape: targets.shape, scalars: valid))
  }

  /// `[mIoU ↑, pixel accuracy ↑, F ↑, precision ↑, recall ↑]`.
  public func compute() -> [MetricValue] {
    segmentation.compute() + foreground.compute()
  }

  public mutating func reset() {
    segmentation.reset()
    foreground.reset()
  }
}
