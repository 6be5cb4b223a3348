/// A shape viewed as `[outer, size, inner]` around one axis.
///
/// Ops that work along one axis of a contiguous tensor (softmax, max, concat, slicing, cosine
/// similarity, cross-entropy's class axis) address element `(o, k, i)` at
/// `o · size · inner + k · inner + i`: `outer` is the product of the dimensions before the axis,
/// `inner` of those after it.
public struct AxisSplit: Sendable, Equatable {
  /// The axis, normalised to `0..<rank`.
  public let axis: Int
  /// Product of the dimensions before the axis.
  public let outer: Int
  /// Extent of the axis.
  public let size: Int
  /// Product of the dimensions after the axis.
  public let inner: Int

  /// Splits `shape` around `axis` (negative axes count from the end); `op` names the operation in
  /// the error raised for an out-of-range axis.
  public init(_ shape: [Int], axis: Int, op: String) {
    precondition(!shape.isEmpty, "\(op): a scalar (shape []) has no axis \(axis)")
    let a = Shape.axis(axis, rank: shape.count, op: op)
    self.axis = a
    outer = Shape.count(Array(shape[..<a]))
    size = shape[a]
    inner = Shape.count(Array(shape[(a + 1)...]))
  }

  /// The shape with the axis removed (`keepDim == false`) or set to 1 (`keepDim == true`).
  public func reducedShape(_ shape: [Int], keepDim: Bool) -> [Int] {
    var s = shape
    if keepDim { s[axis] = 1 } else { s.remove(at: axis) }
    return s
  }
}
