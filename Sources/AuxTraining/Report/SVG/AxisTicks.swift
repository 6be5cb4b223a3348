import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten covering a data range (the
/// approach of matplotlib's `MaxNLocator` with steps [1, 2, 5, 10]).
struct AxisTicks: Equatable {
  /// The axis range, from the first to the last tick.
  let lower: Double
  let upper: Double
  let step: Double
  let values: [Double]

  /// Ticks covering `[low, high]` with about `target` intervals and a step of at least
  /// `minimumStep` (1 for epochs and steps). A zero-width range is widened (by 10 % of its value,
  /// or to ±1 around 0).
  init(low: Double, high: Double, target: Int = 5, minimumStep: Double = 0) {
    var lo = low, hi = high
    if !(lo.isFinite && hi.isFinite) { (lo, hi) = (0, 1) }
    if hi < lo { swap(&lo, &hi) }
    if hi - lo <= 1e-12 * Swift.max(abs(lo), abs(hi)) || hi == lo {
      let pad = lo == 0 ? 1 : abs(lo) * 0.1
      lo -= pad
      hi += pad
    }
    let rough = (hi - lo) / Double(Swift.max(target, 1))
    let magnitude = pow(10, floor(log10(rough)))
    let residual = rough / magnitude
    let step = Swift.max(minimumStep, (residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10) * magnitude)
    let first = floor(lo / step + 1e-9) * step
    let last = ceil(hi / step - 1e-9) * step
    var v: [Double] = []
    var k = 0
    while true {
      let t = first + Double(k) * step
      if t > last + step * 1e-6 || k > 1000 { break }
      v.append(abs(t) < step * 1e-9 ? 0 : t)
      k += 1
    }
    lower = first
    upper = last
    self.step = step
    values = v
  }

  /// A tick's label with as many decimals as the step needs (`0.25`, `10`, `1e-05`).
  func label(_ value: Double) -> String {
    let magnitude = Swift.max(abs(lower), abs(upper))
    if magnitude >= 1e6 || (magnitude < 1e-3 && magnitude > 0) { return String(format: "%.3g", value) }
    let decimals = Swift.max(0, Int(-floor(log10(step) + 1e-9)))
    return String(format: "%.\(decimals)f", value)
  }
}
