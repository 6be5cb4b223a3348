import AuxEngine

/// Edge-detection F-measure at one fixed threshold, with precision and recall pooled over pixels.
///
/// A pixel is a predicted edge when `prediction ≥ threshold` (default 0.5, for probabilities) and a
/// true edge when `target ≥ 0.5` (binary targets). Over all valid pixels of the whole set,
/// `precision = TP / (TP + FP)`, `recall = TP / (TP + FN)`, `F = 2·P·R / (P + R)`; a ratio whose
/// denominator is 0 is 0 (scikit-learn's `zero_division=0`), so F is 0 when there is no true and no
/// predicted edge.
///
/// **This is not the odsF of the MATLAB SEISM toolbox** used by MTI-Net and the PASCAL-Context
/// literature: SEISM thins predicted edges, matches them to ground-truth edges within a
/// distance tolerance (bipartite matching), sweeps 99 thresholds and reports the best F at one
/// dataset-wide threshold. Here pixels must coincide exactly, one threshold is used and no thinning
/// is done, so the numbers are lower and not comparable to published odsF values.
public struct EdgeFMeasure: Metric {
  public let name = "edge"
  /// The prediction threshold.
  public let threshold: Float
  /// True positives, false positives and false negatives.
  public private(set) var truePositives = 0, falsePositives = 0, falseNegatives = 0

  public init(threshold: Float = 0.5) {
    self.threshold = threshold
  }

  /// Adds a batch: `predictions` (edge probabilities or scores) and binary `targets` of equal
  /// element count (e.g. `[N, 1, H, W]`), `masks` one element per pixel.
  public mutating func update(predictions: Tensor, targets: Tensor, masks: Tensor?) {
    precondition(predictions.count == targets.count,
                 "EdgeFMeasure.update: predictions \(predictions.shape) and targets \(targets.shape) must have the same number of elements")
    MetricSupport.checkMask(masks, positions: targets.count, metric: "EdgeFMeasure.update", targets: targets)
    var (tp, fp, fn) = (0, 0, 0)
    let th = threshold
    predictions.withUnsafeBufferPointer { p in
      targets.withUnsafeBufferPointer { g in
        MetricSupport.withMask(masks) { mask in
          for i in 0..<g.count {
            if let m = mask, m[i] == 0 { continue }
            let predicted = p[i] >= th
            let actual = g[i] >= 0.5
            if predicted && actual {
              tp += 1
            } else if predicted {
              fp += 1
            } else if actual {
              fn += 1
            }
          }
        }
      }
    }
    truePositives += tp
    falsePositives += fp
    falseNegatives += fn
  }

  /// `[F ↑, precision ↑, recall ↑]`, fractions in [0, 1].
  public func compute() -> [MetricValue] {
    let precision = truePositives + falsePositives > 0 ? Double(truePositives) / Double(truePositives + falsePositives) : 0
    let recall = truePositives + falseNegatives > 0 ? Double(truePositives) / Double(truePositives + falseNegatives) : 0
    let f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
    return [
      MetricValue(name: "F", value: f, direction: .higherIsBetter),
      MetricValue(name: "precision", value: precision, direction: .higherIsBetter),
      MetricValue(name: "recall", value: recall, direction: .higherIsBetter),
    ]
  }

  public mutating func reset() {
    (truePositives, falsePositives, falseNegatives) = (0, 0, 0)
  }
}
