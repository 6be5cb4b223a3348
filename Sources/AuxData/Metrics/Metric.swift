import AuxEngine

/// Whether a larger or a smaller value of a metric is better; it fixes the sign of Δm terms.
public enum MetricDirection: String, Sendable, Equatable, CustomStringConvertible {
  /// Accuracy-like metrics: mIoU, pixel accuracy, F-measure, % of pixels within an angle.
  case higherIsBetter
  /// Error-like metrics: absolute and relative error, RMSE, angle errors.
  case lowerIsBetter

  /// `+1` when higher is better, `−1` when lower is better: the `(−1)^{l_t}` of Δm.
  public var sign: Double { self == .higherIsBetter ? 1 : -1 }

  public var description: String { self == .higherIsBetter ? "↑" : "↓" }
}

/// One number a metric reports, with its name and direction.
public struct MetricValue: Sendable, Equatable, CustomStringConvertible {
  /// A short, stable name (e.g. `"mIoU"`, `"absErr"`, `"within11.25"`).
  public var name: String
  /// The value (NaN when the metric saw no valid element).
  public var value: Double
  /// Whether higher or lower is better.
  public var direction: MetricDirection

  public init(name: String, value: Double, direction: MetricDirection) {
    self.name = name
    self.value = value
    self.direction = direction
  }

  /// The signed relative change against a baseline value, as a fraction:
  /// `sign · (value − baseline) / baseline`, positive when this value is better.
  public func relativeChange(over baseline: Double) -> Double {
    direction.sign * (value - baseline) / baseline
  }

  public var description: String { "\(name) \(direction) \(value)" }
}

/// A metric that accumulates over batches of predictions and reports one or more values.
///
/// Follows the torchmetrics life cycle: call ``update(predictions:targets:masks:)`` once per
/// batch, ``compute()`` at the end of an evaluation (it does not clear the state, so it may be
/// called again), and ``reset()`` before the next evaluation. Every metric accumulates sufficient
/// statistics over *elements* (pixels or samples), never per-batch averages, so the result over
/// several batches equals the result over their concatenation.
///
/// Inputs are plain tensors (no gradient is recorded; values are read directly). Masks are
/// `[N, 1, H, W]` (or any shape with one element per label position), 1 = valid; a `nil` mask
/// means every position is valid.
public protocol Metric: Sendable {
  /// The metric family's name (e.g. `"segmentation"`).
  var name: String { get }
  /// Adds a batch.
  mutating func update(predictions: Tensor, targets: Tensor, masks: Tensor?)
  /// The values over everything seen since the last reset, in a fixed order.
  func compute() -> [MetricValue]
  /// Forgets everything seen.
  mutating func reset()
}

extension Metric {
  /// Adds a batch with every position valid.
  public mutating func update(predictions: Tensor, targets: Tensor) {
    update(predictions: predictions, targets: targets, masks: nil)
  }

  /// The computed value named `valueName`, or nil.
  public func value(named valueName: String) -> MetricValue? {
    compute().first { $0.name == valueName }
  }
}

/// Shared checks and helpers of the metrics.
enum MetricSupport {
  /// Checks that a mask, if given, has one element per label position (`positions`).
  static func checkMask(_ masks: Tensor?, positions: Int, metric: String, targets: Tensor) {
    if let m = masks {
      precondition(m.count == positions,
                   "\(metric): mask of shape \(m.shape) must have one element per label position (targets \(targets.shape), \(positions) positions)")
    }
  }

  /// Calls `body` with the mask's elements, or with nil when there is no mask.
  static func withMask<R>(_ masks: Tensor?, _ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
    if let m = masks { return m.withUnsafeBufferPointer { body($0) } }
    return body(nil)
  }

  /// A whole-number label as an `Int`, or nil when it is not a finite whole number.
  @inline(__always)
  static func classIndex(_ v: Float) -> Int? {
    guard v.isFinite, v == v.rounded(), Swift.abs(v) < 16_777_216 else { return nil }
    return Int(v)
  }

  /// Index of the first maximal element of `count` scores spaced by `stride`, following
  /// `torch.argmax`: ties go to the first maximal element, and a NaN counts as the maximum (the
  /// first NaN wins).
  @inline(__always)
  static func argmax(_ p: UnsafePointer<Float>, count: Int, stride: Int) -> Int {
    var best = 0
    var bestValue = p[0]
    if bestValue.isNaN { return 0 }
    for c in 1..<Swift.max(count, 1) {
      let v = p[c * stride]
      if v.isNaN { return c }
      if v > bestValue {
        best = c
        bestValue = v
      }
    }
    return best
  }
}
