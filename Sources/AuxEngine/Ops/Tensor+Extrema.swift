/// Maximum and minimum reductions and their indices.
///
/// Gradients follow PyTorch's `max(dim)`/`min(dim)`: the whole upstream gradient goes to the
/// *first* extreme element along the reduced axes (row-major order), and ties get nothing. NaN is
/// treated as larger (for `max`) and smaller (for `min`) than every number, so it propagates as in
/// PyTorch; the first NaN wins.
extension Tensor {
  /// Largest element over `axes` (negative axes count from the end), as PyTorch's `max(dim)` for
  /// one axis and `amax(dims)` for several.
  ///
  /// The gradient flows to the first maximal element in row-major order of the reduced axes.
  /// PyTorch's `amax` instead splits the gradient evenly among tied maxima; the two agree whenever
  /// the maximum is unique.
  ///
  /// - Parameters:
  ///   - axes: the axes to reduce; at least one, each with a non-zero extent.
  ///   - keepDim: keep the reduced axes with size 1 (PyTorch's `keepdim`).
  public func max(axes: [Int], keepDim: Bool = false) -> Tensor {
    extremum(axes: axes, keepDim: keepDim, largest: true, op: "max")
  }

  /// Largest element along `axis` (PyTorch's `max(dim, keepdim).values`); the gradient flows to
  /// the first maximal element.
  public func max(axis: Int, keepDim: Bool = false) -> Tensor {
    extremum(axes: [axis], keepDim: keepDim, largest: true, op: "max")
  }

  /// Largest element of the whole tensor (a scalar).
  ///
  /// The gradient flows to the first maximal element in row-major order. (PyTorch's full
  /// `max()` splits it evenly among tied maxima; with a unique maximum both agree.)
  public func max() -> Tensor {
    precondition(count > 0, "max: tensor of shape \(shape) is empty")
    return reshaped([count]).extremum(axes: [0], keepDim: false, largest: true, op: "max")
  }

  /// Smallest element over `axes`; see ``max(axes:keepDim:)`` for the conventions.
  public func min(axes: [Int], keepDim: Bool = false) -> Tensor {
    extremum(axes: axes, keepDim: keepDim, largest: false, op: "min")
  }

  /// Smallest element along `axis` (PyTorch's `min(dim, keepdim).values`); the gradient flows to
  /// the first minimal element.
  public func min(axis: Int, keepDim: Bool = false) -> Tensor {
    extremum(axes: [axis], keepDim: keepDim, largest: false, op: "min")
  }

  /// Smallest element of the whole tensor (a scalar); the gradient flows to the first minimal
  /// element.
  public func min() -> Tensor {
    precondition(count > 0, "min: tensor of shape \(shape) is empty")
    return reshaped([count]).extremum(axes: [0], keepDim: false, largest: false, op: "min")
  }

  /// Index of the first maximal element along `axis`, as a tensor of whole numbers (PyTorch's
  /// `argmax(dim, keepdim)`, whose indices are `int64`; here they are `Float`, exact below 2^24).
  ///
  /// Not differentiable: the result never requires a gradient.
  public func argmax(axis: Int, keepDim: Bool = false) -> Tensor {
    argExtremum(axis: axis, keepDim: keepDim, largest: true, op: "argmax")
  }

  /// Row-major index of the first maximal element of the whole tensor (a scalar), as PyTorch's
  /// `argmax()` without `dim`.
  public func argmax() -> Tensor {
    precondition(count > 0, "argmax: tensor of shape \(shape) is empty")
    return detached().reshaped([count]).argExtremum(axis: 0, keepDim: false, largest: true, op: "argmax")
  }

  /// Index of the first minimal element along `axis` (PyTorch's `argmin(dim, keepdim)`), as
  /// whole-number `Float`s. Not differentiable.
  public func argmin(axis: Int, keepDim: Bool = false) -> Tensor {
    argExtremum(axis: axis, keepDim: keepDim, largest: false, op: "argmin")
  }

  /// Row-major index of the first minimal element of the whole tensor (a scalar).
  public func argmin() -> Tensor {
    precondition(count > 0, "argmin: tensor of shape \(shape) is empty")
    return detached().reshaped([count]).argExtremum(axis: 0, keepDim: false, largest: false, op: "argmin")
  }

  // MARK: Implementation

  private func extremum(axes: [Int], keepDim: Bool, largest: Bool, op: String) -> Tensor {
    precondition(rank > 0, "\(op): a scalar (shape []) has no axes to reduce; use \(op)() instead")
    precondition(!axes.isEmpty, "\(op): no axes given (shape \(shape)); use \(op)() to reduce every element")
    let ax = Shape.axes(axes, rank: rank, op: op)
    let plan = ExtremumKernels.Layout(shape: shape, axes: ax)
    precondition(plan.size > 0, "\(op): cannot reduce the empty axes \(axes) of shape \(shape)")
    let source = plan.permutation.map { PermuteKernels.permute(self.detached(), $0) } ?? self.detached()
    let keptShape = shape.enumerated().map { ax.contains($0.offset) ? 1 : $0.element }
    let outShape = keepDim ? keptShape : shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
    var values = Tensor.uninitialized(outShape)
    var indices = [Int32](repeating: 0, count: plan.outer * plan.inner)
    source.withUnsafeBufferPointer { xp in
      values.withUnsafeMutableBufferPointer { vp in
        indices.withUnsafeMutableBufferPointer { ip in
          ExtremumKernels.reduce(
            xp.baseAddress!, outer: plan.outer, size: plan.size, inner: plan.inner,
            values: vp.baseAddress!, indices: ip.baseAddress!, largest: largest)
        }
      }
    }
    let inputShape = shape
    return Tensor.record(op, output: values, inputs: [self]) { g, _ in
      var gx = Tensor.zeros(plan.workingShape)
      g.withUnsafeBufferPointer { gp in
        gx.withUnsafeMutableBufferPointer { dp in
          indices.withUnsafeBufferPointer { ip in
            ExtremumKernels.scatter(
              gp.baseAddress!, indices: ip.baseAddress!, outer: plan.outer, size: plan.size,
              inner: plan.inner, into: dp.baseAddress!)
          }
        }
      }
      if let inverse = plan.inversePermutation { gx = PermuteKernels.permute(gx, inverse) }
      return [gx.reshaped(inputShape)]
    }
  }

  private func argExtremum(axis: Int, keepDim: Bool, largest: Bool, op: String) -> Tensor {
    let split = AxisSplit(shape, axis: axis, op: op)
    precondition(split.size > 0, "\(op): axis \(axis) of shape \(shape) is empty")
    var out = Tensor.uninitialized(split.reducedShape(shape, keepDim: keepDim))
    var values = [Float](repeating: 0, count: split.outer * split.inner)
    var indices = [Int32](repeating: 0, count: split.outer * split.inner)
    withUnsafeBufferPointer { xp in
      values.withUnsafeMutableBufferPointer { vp in
        indices.withUnsafeMutableBufferPointer { ip in
          ExtremumKernels.reduce(
            xp.baseAddress!, outer: split.outer, size: split.size, inner: split.inner,
            values: vp.baseAddress!, indices: ip.baseAddress!, largest: largest)
        }
      }
    }
    out.withUnsafeMutableBufferPointer { op in
      indices.withUnsafeBufferPointer { ip in
        for j in 0..<ip.count { op[j] = Float(ip[j]) }
      }
    }
    return out
  }
}

/// Pointer kernels for max/min reductions with first-index tie breaking.
public enum ExtremumKernels {
  /// How a reduction over a set of axes is laid out as `[outer, size, inner]`.
  ///
  /// Adjacent reduced axes merge into one `size` with no copy; otherwise the input is first
  /// permuted so that the reduced axes come last (`inner == 1`).
  public struct Layout: Sendable {
    /// Axis order applied to the input before reducing, or nil when none is needed.
    public let permutation: [Int]?
    /// The inverse of ``permutation``.
    public let inversePermutation: [Int]?
    /// Product of the kept dimensions before the reduced block.
    public let outer: Int
    /// Product of the reduced dimensions.
    public let size: Int
    /// Product of the kept dimensions after the reduced block.
    public let inner: Int
    /// The input's shape after the permutation (the layout the kernel reads).
    public let workingShape: [Int]

    /// Plans the reduction of sorted, de-duplicated `axes` of `shape`.
    public init(shape: [Int], axes: [Int]) {
      let first = axes.first!
      let last = axes.last!
      if last - first + 1 == axes.count {
        permutation = nil
        inversePermutation = nil
        outer = Shape.count(Array(shape[..<first]))
        size = Shape.count(Array(shape[first...last]))
        inner = Shape.count(Array(shape[(last + 1)...]))
        workingShape = shape
      } else {
        let kept = shape.indices.filter { !axes.contains($0) }
        let order = kept + axes
        var inverse = [Int](repeating: 0, count: order.count)
        for (i, o) in order.enumerated() { inverse[o] = i }
        permutation = order
        inversePermutation = inverse
        outer = Shape.count(kept.map { shape[$0] })
        size = Shape.count(axes.map { shape[$0] })
        inner = 1
        workingShape = order.map { shape[$0] }
      }
    }
  }

  /// For `x` viewed as `[outer, size, inner]`, writes the extreme value over the middle axis to
  /// `values[o·inner + i]` and its first index to `indices[o·inner + i]`.
  ///
  /// `largest` selects max (true) or min (false). A NaN beats every number; the first NaN wins.
  public static func reduce(
    _ x: UnsafePointer<Float>, outer: Int, size: Int, inner: Int,
    values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>, largest: Bool
  ) {
    if largest {
      run(x, outer, size, inner, values, indices) { v, best in v > best || (v != v && best == best) }
    } else {
      run(x, outer, size, inner, values, indices) { v, best in v < best || (v != v && best == best) }
    }
  }

  @inline(__always)
  private static func run(
    _ x: UnsafePointer<Float>, _ outer: Int, _ size: Int, _ inner: Int,
    _ values: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int32>,
    _ better: (Float, Float) -> Bool
  ) {
    for o in 0..<outer {
      let src = x + o &* size &* inner
      let vals = values + o &* inner
      let idx = indices + o &* inner
      if inner == 1 {
        var best = src[0]
        var bestIndex = 0
        for k in 1..<Swift.max(size, 1) where better(src[k], best) {
          best = src[k]
          bestIndex = k
        }
        vals[0] = best
        idx[0] = Int32(bestIndex)
      } else {
        // Vectorised over the inner run: one pass over each row of the reduced axis.
        for i in 0..<inner {
          vals[i] = src[i]
          idx[i] = 0
        }
        for k in 1..<Swift.max(size, 1) {
          let row = src + k &* inner
          let kk = Int32(k)
          for i in 0..<inner {
            let v = row[i]
            let take = better(v, vals[i])
            vals[i] = take ? v : vals[i]  // selects, so that the loop vectorises
            idx[i] = take ? kk : idx[i]
          }
        }
      }
    }
  }

  /// The adjoint of ``reduce(_:outer:size:inner:values:indices:largest:)``: adds `g[o·inner + i]`
  /// to `out[o, indices[o·inner + i], i]` (`out` must be zeroed by the caller).
  public static func scatter(
    _ g: UnsafePointer<Float>, indices: UnsafePointer<Int32>, outer: Int, size: Int, inner: Int,
    into out: UnsafeMutablePointer<Float>
  ) {
    for o in 0..<outer {
      let dst = out + o &* size &* inner
      let base = o &* inner
      for i in 0..<inner {
        dst[Int(indices[base &+ i]) &* inner &+ i] += g[base &+ i]
      }
    }
  }
}
