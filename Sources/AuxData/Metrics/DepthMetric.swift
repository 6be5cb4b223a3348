import AuxEngine

/// Dense-regression errors over valid pixels: absolute error, relative error and RMSE.
///
/// Over all valid pixels `i` of every batch seen (pixel accumulation):
/// - `absErr = Σ|pᵢ − gᵢ| / N`
/// - `relErr = Σ(|pᵢ − gᵢ| / |gᵢ|) / N`
/// - `rmse = √(Σ(pᵢ − gᵢ)² / N)`
///
/// with `N` the number of valid pixels in the whole set. This is the pooled form (MTI-Net's RMSE,
/// LibMTL's pixel-weighted mean); MTAN and Auto-Lambda average per-batch means instead, which
/// differs when batches hold different numbers of valid pixels. Sums are kept in `Double`.
///
/// Valid pixels: mask non-zero (all pixels when no mask is given). The relative error divides by
/// the target, so it skips valid pixels whose target is 0: they count in `absErr` and `rmse`,
/// not in `relErr`, whose `N` is the number of valid pixels with a non-zero target
/// (``zeroTargetPixels`` counts the skipped ones). With no valid pixel, all values are NaN;
/// `relErr` is NaN when every valid target is 0.
/// Use it for depth (NYUv2) and disparity (Cityscapes "abs err").
public struct DepthMetric: Metric {
  public let name = "depth"
  /// Σ|p − g|, Σ|p − g|/|g|, Σ(p − g)² and the number of valid pixels.
  public private(set) var sumAbs = 0.0, sumRel = 0.0, sumSquared = 0.0, validPixels = 0
  /// Valid pixels with target 0, left out of the relative error.
  public private(set) var zeroTargetPixels = 0

  public init() {}

  /// Adds a batch: `predictions` and `targets` of equal element count (e.g. `[N, 1, H, W]`),
  /// `masks` one element per target pixel.
  public mutating func update(predictions: Tensor, targets: Tensor, masks: Tensor?) {
    precondition(predictions.count == targets.count,
                 "DepthMetric.update: predictions \(predictions.shape) and targets \(targets.shape) must have the same number of elements")
    MetricSupport.checkMask(masks, positions: targets.count, metric: "DepthMetric.update", targets: targets)
    var (sa, sr, ss, n, z) = (0.0, 0.0, 0.0, 0, 0)
    predictions.withUnsafeBufferPointer { p in
      targets.withUnsafeBufferPointer { g in
        MetricSupport.withMask(masks) { mask in
          for i in 0..<g.count {
            if let m = mask, m[i] == 0 { continue }
            let gi = Double(g[i])
            let d = Double(p[i]) - gi
            sa += Swift.abs(d)
            if gi == 0 { z += 1 } else { sr += Swift.abs(d) / Swift.abs(gi) }
            ss += d * d
            n += 1
          }
        }
      }
    }
    sumAbs += sa
    sumRel += sr
    sumSquared += ss
    validPixels += n
    zeroTargetPixels += z
  }

  /// `[absErr ↓, relErr ↓, rmse ↓]`, in the targets' units (relative error is a fraction).
  public func compute() -> [MetricValue] {
    let n = Double(validPixels)
    let ok = validPixels > 0
    let relCount = Double(validPixels - zeroTargetPixels)
    return [
      MetricValue(name: "absErr", value: ok ? sumAbs / n : .nan, direction: .lowerIsBetter),
      MetricValue(name: "relErr", value: relCount > 0 ? sumRel / relCount : .nan, direction: .lowerIsBetter),
      MetricValue(name: "rmse", value: ok ? (sumSquared / n).squareRoot() : .nan, direction: .lowerIsBetter),
    ]
  }

  public mutating func reset() {
    (sumAbs, sumRel, sumSquared, validPixels, zeroTargetPixels) = (0, 0, 0, 0, 0)
  }
}
