import AuxEngine
import Foundation

/// Surface-normal angle errors over valid pixels, in degrees: mean, median and the fractions of
/// pixels within 11.25°, 22.5° and 30°.
///
/// Per valid pixel, `θ = arccos(clamp(⟨p̂, ĝ⟩, −1, 1))` in degrees, where `p̂ = p / max(‖p‖, 1e-12)`
/// (`torch.nn.functional.normalize`, so a zero prediction gives 90°) and `ĝ` the target
/// normalised likewise. Angles are **pooled over all valid pixels of the whole set** (LibMTL;
/// MTAN averages per-batch means and medians instead). The median is exact: the middle of
/// the pooled angles, the mean of the two middle ones for an even count (`numpy.median`). The
/// fractions use strict `θ < threshold`.
///
/// Predictions and targets are `[N, 3, H, W]` (channels = vector components), masks
/// `[N, 1, H, W]`; 0 = invalid (no mask: all valid). Each angle is stored (4 bytes per valid pixel)
/// for the median. With no valid pixel, all values are NaN.
public struct NormalMetric: Metric {
  public let name = "normal"
  /// The thresholds, in degrees, whose fractions are reported.
  public static let thresholds: [Double] = [11.25, 22.5, 30]
  /// Every valid pixel's angle error in degrees, in the order seen.
  public private(set) var angles: [Float] = []
  /// Σθ in degrees.
  public private(set) var sumAngles = 0.0
  /// Pixels with θ below each of ``thresholds``.
  public private(set) var countsBelow: [Int] = [0, 0, 0]

  public init() {}

  public mutating func update(predictions: Tensor, targets: Tensor, masks: Tensor?) {
    precondition(targets.rank >= 2 && targets.shape[1] == 3,
                 "NormalMetric.update: targets must be [N, 3, …], got \(targets.shape)")
    precondition(predictions.shape == targets.shape,
                 "NormalMetric.update: predictions \(predictions.shape) and targets \(targets.shape) must have the same shape")
    let n = targets.shape[0]
    let plane = n > 0 ? targets.count / (3 * n) : 0
    MetricSupport.checkMask(masks, positions: n * plane, metric: "NormalMetric.update", targets: targets)
    let toDegrees = 180.0 / Double.pi
    let (t0, t1, t2) = (Self.thresholds[0], Self.thresholds[1], Self.thresholds[2])
    var batchAngles = [Float](repeating: 0, count: n * plane)
    var (used, sum, below0, below1, below2) = (0, 0.0, 0, 0, 0)
    predictions.withUnsafeBufferPointer { p in
      targets.withUnsafeBufferPointer { g in
        MetricSupport.withMask(masks) { mask in
          batchAngles.withUnsafeMutableBufferPointer { out in
            for img in 0..<n {
              let base = img * 3 * plane
              for px in 0..<plane {
                if let m = mask, m[img * plane + px] == 0 { continue }
                let (px0, py0, pz0) = (Double(p[base + px]), Double(p[base + plane + px]), Double(p[base + 2 * plane + px]))
                let (gx, gy, gz) = (Double(g[base + px]), Double(g[base + plane + px]), Double(g[base + 2 * plane + px]))
                let pn = Swift.max((px0 * px0 + py0 * py0 + pz0 * pz0).squareRoot(), 1e-12)
                let gn = Swift.max((gx * gx + gy * gy + gz * gz).squareRoot(), 1e-12)
                let cosine = Swift.min(Swift.max((px0 * gx + py0 * gy + pz0 * gz) / (pn * gn), -1), 1)
                let theta = Foundation.acos(cosine) * toDegrees
                out[used] = Float(theta)
                used += 1
                sum += theta
                if theta < t0 { below0 += 1 }
                if theta < t1 { below1 += 1 }
                if theta < t2 { below2 += 1 }
              }
            }
          }
        }
      }
    }
    angles.append(contentsOf: batchAngles[0..<used])
    sumAngles += sum
    countsBelow[0] += below0
    countsBelow[1] += below1
    countsBelow[2] += below2
  }

  /// `[mean ↓, median ↓, within11.25 ↑, within22.5 ↑, within30 ↑]`; angles in degrees, the
  /// "within" values as fractions in [0, 1].
  public func compute() -> [MetricValue] {
    let n = angles.count
    let ok = n > 0
    let fraction = { (k: Int) -> Double in ok ? Double(self.countsBelow[k]) / Double(n) : .nan }
    return [
      MetricValue(name: "mean", value: ok ? sumAngles / Double(n) : .nan, direction: .lowerIsBetter),
      MetricValue(name: "median", value: ok ? Self.median(angles) : .nan, direction: .lowerIsBetter),
      MetricValue(name: "within11.25", value: fraction(0), direction: .higherIsBetter),
      MetricValue(name: "within22.5", value: fraction(1), direction: .higherIsBetter),
      MetricValue(name: "within30", value: fraction(2), direction: .higherIsBetter),
    ]
  }

  public mutating func reset() {
    angles = []
    sumAngles = 0
    countsBelow = [0, 0, 0]
  }

  /// The exact median of `values` (`numpy.median`: mean of the two middle values for an even
  /// count), by quickselect on a copy in expected linear time.
  public static func median(_ values: [Float]) -> Double {
    precondition(!values.isEmpty, "NormalMetric.median: no values")
    var v = values
    let n = v.count
    return v.withUnsafeMutableBufferPointer { buf -> Double in
      let upper = select(buf, k: n / 2)
      if n % 2 == 1 { return Double(upper) }
      // After selecting k = n/2, everything left of it is ≤ it: the lower middle is their maximum.
      var lower = -Float.infinity
      for i in 0..<(n / 2) where buf[i] > lower { lower = buf[i] }
      return (Double(lower) + Double(upper)) / 2
    }
  }

  /// Rearranges `a` so that `a[k]` is the k-th smallest, smaller-or-equal values before it, and
  /// returns it (Hoare's quickselect with a median-of-three pivot).
  static func select(_ a: UnsafeMutableBufferPointer<Float>, k: Int) -> Float {
    var lo = 0, hi = a.count - 1
    while lo < hi {
      let mid = lo + (hi - lo) / 2
      if a[mid] < a[lo] { a.swapAt(mid, lo) }
      if a[hi] < a[lo] { a.swapAt(hi, lo) }
      if a[hi] < a[mid] { a.swapAt(hi, mid) }
      let pivot = a[mid]
      var i = lo, j = hi
      while i <= j {
        while a[i] < pivot { i += 1 }
        while a[j] > pivot { j -= 1 }
        if i <= j {
          a.swapAt(i, j)
          i += 1
          j -= 1
        }
      }
      if k <= j {
        hi = j
      } else if k >= i {
        lo = i
      } else {
        return a[k]
      }
    }
    return a[k]
  }
}
