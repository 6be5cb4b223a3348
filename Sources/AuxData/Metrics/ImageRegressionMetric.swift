import AuxEngine
import Foundation

/// Errors of a predicted image against a clean one (e.g. denoising): mean absolute error, RMSE and
/// PSNR, over valid pixels.
///
/// Over all valid pixels `i` of every batch seen (pixel accumulation):
/// - `mae = Σ|pᵢ − gᵢ| / N`
/// - `rmse = √(Σ(pᵢ − gᵢ)² / N)`
/// - `psnr = 10 · log₁₀(peak² / (Σ(pᵢ − gᵢ)² / N))` in dB, `peak` the largest possible pixel
///   value (1 for images in [0, 1]); +∞ for a perfect prediction.
///
/// Unlike ``DepthMetric`` it has no relative error: image targets are mostly zeros. PSNR is
/// computed from the pooled MSE over the whole set (as skimage's `peak_signal_noise_ratio` on the
/// concatenated images), not averaged per image. Sums are kept in `Double`. With no valid pixel,
/// all values are NaN.
public struct ImageRegressionMetric: Metric {
  public let name = "image"
  /// The largest possible pixel value, the `MAX` of PSNR.
  public let peak: Double
  /// Σ|p − g|, Σ(p − g)² and the number of valid pixels.
  public private(set) var sumAbs = 0.0, sumSquared = 0.0, validPixels = 0

  /// - Parameter peak: the largest possible pixel value (1 for images in [0, 1]).
  public init(peak: Double = 1) {
    self.peak = peak
  }

  /// Adds a batch: `predictions` and `targets` of equal element count (e.g. `[N, 1, H, W]`),
  /// `masks` one element per target pixel.
  public mutating func update(predictions: Tensor, targets: Tensor, masks: Tensor?) {
    precondition(predictions.count == targets.count,
                 "ImageRegressionMetric.update: predictions \(predictions.shape) and targets \(targets.shape) must have the same number of elements")
    MetricSupport.checkMask(masks, positions: targets.count, metric: "ImageRegressionMetric.update", targets: targets)
    var (sa, ss, n) = (0.0, 0.0, 0)
    predictions.withUnsafeBufferPointer { p in
      targets.withUnsafeBufferPointer { g in
        MetricSupport.withMask(masks) { mask in
          for i in 0..<g.count {
            if let m = mask, m[i] == 0 { continue }
            let d = Double(p[i]) - Double(g[i])
            sa += Swift.abs(d)
            ss += d * d
            n += 1
          }
        }
      }
    }
    sumAbs += sa
    sumSquared += ss
    validPixels += n
  }

  /// `[mae ↓, rmse ↓, psnr ↑]` (PSNR in dB).
  public func compute() -> [MetricValue] {
    let ok = validPixels > 0
    let mse = sumSquared / Double(Swift.max(validPixels, 1))
    let psnr = mse == 0 ? Double.infinity : 10 * log10(peak * peak / mse)
    return [
      MetricValue(name: "mae", value: ok ? sumAbs / Double(validPixels) : .nan, direction: .lowerIsBetter),
      MetricValue(name: "rmse", value: ok ? mse.squareRoot() : .nan, direction: .lowerIsBetter),
      MetricValue(name: "psnr", value: ok ? psnr : .nan, direction: .higherIsBetter),
    ]
  }

  public mutating func reset() {
    (sumAbs, sumSquared, validPixels) = (0, 0, 0)
  }
}
