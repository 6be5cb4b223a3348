import AuxEngine

/// Top-1 classification accuracy over all samples seen: `correct / total`.
///
/// Predictions are scores `[N, classes]` (the predicted class is the first maximal score, as
/// `torch.argmax(dim=1)`) or class indices `[N]`; targets are class indices `[N]` or `[N, 1]`.
/// A mask (one element per sample, 0 = skip) is optional. With no sample, the value is NaN.
public struct AccuracyMetric: Metric {
  public let name = "classification"
  /// Number of classes.
  public let classes: Int
  /// Correct predictions and samples counted.
  public private(set) var correct = 0, total = 0

  public init(classes: Int) {
    precondition(classes > 0, "AccuracyMetric: classes must be positive, got \(classes)")
    self.classes = classes
  }

  public mutating func update(predictions: Tensor, targets: Tensor, masks: Tensor?) {
    let n = targets.count
    let isScores = predictions.rank == 2 && predictions.shape == [n, classes] && classes > 1
    precondition(isScores || predictions.count == n,
                 "AccuracyMetric.update: predictions \(predictions.shape) must be scores [N, \(classes)] or N class indices (targets \(targets.shape))")
    MetricSupport.checkMask(masks, positions: n, metric: "AccuracyMetric.update", targets: targets)
    let c = classes
    var (right, counted) = (0, 0)
    predictions.withUnsafeBufferPointer { p in
      targets.withUnsafeBufferPointer { t in
        MetricSupport.withMask(masks) { mask in
          for i in 0..<n {
            if let m = mask, m[i] == 0 { continue }
            guard let target = MetricSupport.classIndex(t[i]), target >= 0 && target < c else {
              preconditionFailure("AccuracyMetric.update: target \(t[i]) of sample \(i) is not a class in 0..<\(c)")
            }
            let predicted = isScores
              ? MetricSupport.argmax(p.baseAddress! + i * c, count: c, stride: 1)
              : (MetricSupport.classIndex(p[i]) ?? -1)
            if predicted == target { right += 1 }
            counted += 1
          }
        }
      }
    }
    correct += right
    total += counted
  }

  /// `[accuracy ↑]`, a fraction in [0, 1].
  public func compute() -> [MetricValue] {
    [MetricValue(name: "accuracy", value: total > 0 ? Double(correct) / Double(total) : .nan, direction: .higherIsBetter)]
  }

  public mutating func reset() {
    (correct, total) = (0, 0)
  }
}
