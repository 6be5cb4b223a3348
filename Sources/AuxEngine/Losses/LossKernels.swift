/// Helpers shared by the fused losses: constant broadcast operands, optional pointers and the
/// final reduction.
public enum LossKernels {
  /// `t` materialised at `shape` (broadcasting without enlarging `shape`), or nil. Stops with a
  /// message naming `op` and `name` when `t` requires a gradient or does not broadcast.
  public static func expandedConstant(_ t: Tensor?, to shape: [Int], name: String, op: String) -> Tensor? {
    guard let t else { return nil }
    precondition(!t.requiresGrad, "\(op): \(name) must be a constant (it requires a gradient; detach it), shape \(t.shape)")
    let lead = shape.count - t.rank
    precondition(
      lead >= 0 && t.shape.indices.allSatisfy { t.shape[$0] == 1 || t.shape[$0] == shape[lead + $0] },
      "\(op): \(name) of shape \(t.shape) does not broadcast to the input shape \(shape)")
    let d = t.detached()
    return d.shape == shape ? d : ReductionKernels.expand(d, to: shape)
  }

  /// A one-element constant as a scalar (`(nil, value)`), any other as ``expandedConstant(_:to:name:op:)``
  /// with the scalar 1; `(nil, 1)` for nil.
  public static func scalarOrExpanded(_ t: Tensor?, to shape: [Int], name: String, op: String) -> (Tensor?, Float) {
    guard let t else { return (nil, 1) }
    if t.count == 1 && t.rank <= shape.count {
      precondition(!t.requiresGrad, "\(op): \(name) must be a constant (it requires a gradient; detach it), shape \(t.shape)")
      return (nil, t.scalars[0])
    }
    return (expandedConstant(t, to: shape, name: name, op: op), 1)
  }

  /// A validity mask materialised at `shape`: non-negative weights, typically 0 (invalid) or 1
  /// (valid). Stops when the mask requires a gradient, does not broadcast, or has a negative or
  /// NaN element.
  public static func expandedMask(_ mask: Tensor?, to shape: [Int], op: String) -> Tensor? {
    guard let m = expandedConstant(mask, to: shape, name: "mask", op: op) else { return nil }
    m.withUnsafeBufferPointer { p in
      for i in 0..<p.count where !(p[i] >= 0) {
        preconditionFailure("\(op): mask element \(i) is \(p[i]); mask values must be ≥ 0 (1 = valid, 0 = invalid), mask broadcast to shape \(shape)")
      }
    }
    return m
  }

  /// Calls `body` with the base address of `t`, or nil when `t` is nil.
  @inline(__always)
  public static func withOptional<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.withUnsafeBufferPointer { body($0.baseAddress) }
  }

  /// Reduces per-element losses: `.none` returns them, `.sum` their sum, `.mean` the sum divided by
  /// `denominator` (0 when the denominator is 0). Sums accumulate in Double.
  public static func reduce(_ perElement: Tensor, _ reduction: LossReduction, denominator: Double) -> Tensor {
    switch reduction {
    case .none: return perElement
    case .sum: return Tensor(Float(ReductionKernels.sumAll(perElement)))
    case .mean:
      return Tensor(denominator == 0 ? 0 : Float(ReductionKernels.sumAll(perElement) / denominator))
    }
  }
}
