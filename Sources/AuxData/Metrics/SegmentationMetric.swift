import AuxEngine

/// Semantic-segmentation metrics from a confusion matrix accumulated over the whole evaluation
/// set: mean intersection-over-union and pixel accuracy, with an ignore index.
///
/// Per class `c`, with the matrix counted over every valid pixel of every batch,
/// `IoU_c = TP_c / (TP_c + FP_c + FN_c)`; `mIoU` is the mean of `IoU_c` over the classes that
/// occur, and `pixelAccuracy = Σ_c TP_c / (number of valid pixels)` (an accumulated
/// confusion matrix, as MTAN since Nov 2020, LibMTL and Auto-Lambda; not per-image means).
///
/// **Classes absent from the whole set** (never in a target and never predicted, so
/// `TP + FP + FN = 0`) are by default *excluded* from the mean (`torch.nanmean` over the IoUs
/// LibMTL/MTAN compute, whose plain `mean` would be NaN). A class that occurs only in predictions
/// (all false positives) or only in targets (all misses) has IoU 0 and counts. Set
/// ``AbsentClasses/countAsZero`` for MTI-Net's `eval_semseg`, which divides by `max(union, 1e-8)`
/// and so averages absent classes in as 0.
///
/// Valid pixels: the target is not `ignoreIndex` and the mask (if given) is non-zero. With no
/// valid pixel at all, both values are NaN.
public struct SegmentationMetric: Metric {
  /// How classes that never occur (in targets or predictions) enter the mean IoU.
  public enum AbsentClasses: Sendable, Equatable {
    /// Left out of the mean (default; LibMTL/MTAN with `nanmean`).
    case excluded
    /// Averaged in with IoU 0 (MTI-Net / Vandenhende `eval_semseg`).
    case countAsZero
  }

  public let name = "segmentation"
  /// Number of classes; labels are `0..<classes`.
  public let classes: Int
  /// Target value that marks a pixel to ignore (e.g. −1 for MTAN's NYUv2, 255 for PASCAL).
  public let ignoreIndex: Int
  /// How absent classes enter the mean.
  public let absentClasses: AbsentClasses
  /// Counts, row = target class, column = predicted class, `classes × classes`, row-major.
  public private(set) var confusion: [Int]

  public init(classes: Int, ignoreIndex: Int = -1, absentClasses: AbsentClasses = .excluded) {
    precondition(classes > 0, "SegmentationMetric: classes must be positive, got \(classes)")
    precondition(ignoreIndex < 0 || ignoreIndex >= classes,
                 "SegmentationMetric: ignore index \(ignoreIndex) collides with a class in 0..<\(classes)")
    self.classes = classes
    self.ignoreIndex = ignoreIndex
    self.absentClasses = absentClasses
    self.confusion = [Int](repeating: 0, count: classes * classes)
  }

  /// Adds a batch.
  ///
  /// - Parameters:
  ///   - predictions: either scores `[N, classes, …]` (logits or probabilities; the predicted
  ///     class is the first maximal score, as `torch.argmax(dim=1)`), or class indices with one
  ///     element per target pixel.
  ///   - targets: class indices `[N, H, W]` (or `[N, 1, H, W]`), whole numbers in
  ///     `0..<classes` or `ignoreIndex`.
  ///   - masks: optional, one element per target pixel; 0 = ignore.
  public mutating func update(predictions: Tensor, targets: Tensor, masks: Tensor?) {
    let pixels = targets.count
    let n = targets.shape.first ?? 1
    let isScores = classes > 1 && predictions.rank >= 2 && predictions.shape[0] == n
      && predictions.shape[1] == classes && predictions.count == pixels * classes
    precondition(isScores || predictions.count == pixels,
                 "SegmentationMetric.update: predictions \(predictions.shape) must be scores [N, \(classes), …] or one class index per target pixel (targets \(targets.shape))")
    MetricSupport.checkMask(masks, positions: pixels, metric: "SegmentationMetric.update", targets: targets)
    let perImage = n > 0 ? pixels / n : 0
    let (c, ignore) = (classes, ignoreIndex)
    predictions.withUnsafeBufferPointer { pred in
      targets.withUnsafeBufferPointer { tgt in
        MetricSupport.withMask(masks) { mask in
          confusion.withUnsafeMutableBufferPointer { conf in
            for img in 0..<n {
              for px in 0..<perImage {
                let i = img * perImage + px
                if let m = mask, m[i] == 0 { continue }
                guard let t = MetricSupport.classIndex(tgt[i]), t == ignore || (t >= 0 && t < c) else {
                  preconditionFailure("SegmentationMetric.update: target \(tgt[i]) at element \(i) of \(targets.shape) is neither a class in 0..<\(c) nor the ignore index \(ignore)")
                }
                if t == ignore { continue }
                let p: Int
                if isScores {
                  p = MetricSupport.argmax(pred.baseAddress! + img * c * perImage + px, count: c, stride: perImage)
                } else {
                  guard let q = MetricSupport.classIndex(pred[i]), q >= 0 && q < c else {
                    preconditionFailure("SegmentationMetric.update: predicted class \(pred[i]) at element \(i) of \(predictions.shape) is not in 0..<\(c)")
                  }
                  p = q
                }
                conf[t * c + p] += 1
              }
            }
          }
        }
      }
    }
  }

  /// IoU per class; nil for a class absent from targets and predictions.
  public var perClassIoU: [Double?] {
    (0..<classes).map { k in
      let tp = confusion[k * classes + k]
      var rowSum = 0, colSum = 0
      for j in 0..<classes {
        rowSum += confusion[k * classes + j]
        colSum += confusion[j * classes + k]
      }
      let union = rowSum + colSum - tp
      return union == 0 ? nil : Double(tp) / Double(union)
    }
  }

  /// Number of valid pixels counted.
  public var validPixels: Int { confusion.reduce(0, +) }

  /// `[mIoU ↑, pixelAccuracy ↑]`, fractions in [0, 1].
  public func compute() -> [MetricValue] {
    let total = validPixels
    var miou = Double.nan
    var acc = Double.nan
    if total > 0 {
      let ious = perClassIoU
      let used: [Double] = absentClasses == .excluded ? ious.compactMap { $0 } : ious.map { $0 ?? 0 }
      miou = used.isEmpty ? .nan : used.reduce(0, +) / Double(used.count)
      let tp = (0..<classes).reduce(0) { $0 + confusion[$1 * classes + $1] }
      acc = Double(tp) / Double(total)
    }
    return [
      MetricValue(name: "mIoU", value: miou, direction: .higherIsBetter),
      MetricValue(name: "pixelAccuracy", value: acc, direction: .higherIsBetter),
    ]
  }

  public mutating func reset() {
    confusion = [Int](repeating: 0, count: classes * classes)
  }
}
