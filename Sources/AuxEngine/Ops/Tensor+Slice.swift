/// Strided slices along one axis (PyTorch's `x[..., start:end:step, ...]` / `narrow`).
extension Tensor {
  /// The elements at indices `range` of `axis` (negative axes count from the end).
  ///
  /// The range must lie inside `0...shape[axis]`; it may be empty. The result is a copy (tensors
  /// are contiguous); its gradient scatters back into a zero tensor of the input's shape.
  public func sliced(axis: Int, range: Range<Int>) -> Tensor {
    let split = AxisSplit(shape, axis: axis, op: "slice")
    precondition(
      range.lowerBound >= 0 && range.upperBound <= split.size,
      "slice: range \(range) is out of bounds for axis \(axis) of size \(split.size) (shape \(shape))")
    return slice(split, start: range.lowerBound, count: range.count, step: 1)
  }

  /// The elements `start, start + step, …` before `end` along `axis`, with Python's slicing rules:
  /// negative `start`/`end` count from the end of the axis, both are then clamped to
  /// `0...shape[axis]`, and `end ≤ start` gives an empty slice. `end == nil` means the end of the
  /// axis. `step` must be positive (as in PyTorch).
  public func sliced(axis: Int, start: Int = 0, end: Int? = nil, step: Int = 1) -> Tensor {
    let split = AxisSplit(shape, axis: axis, op: "slice")
    precondition(step > 0, "slice: step must be positive, got \(step) (shape \(shape), axis \(axis))")
    let n = split.size
    func clampIndex(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + n : i, 0), n) }
    let s = clampIndex(start)
    let e = clampIndex(end ?? n)
    let count = e > s ? (e - s + step - 1) / step : 0
    return slice(split, start: s, count: count, step: step)
  }

  private func slice(_ split: AxisSplit, start: Int, count m: Int, step: Int) -> Tensor {
    if start == 0 && step == 1 && m == split.size { return self }
    var outShape = shape
    outShape[split.axis] = m
    var out = Tensor.uninitialized(outShape)
    let (outer, n, inner) = (split.outer, split.size, split.inner)
    withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { op in
        guard let src = xp.baseAddress, let dst = op.baseAddress else { return }
        for o in 0..<outer {
          for j in 0..<m {
            (dst + (o &* m &+ j) &* inner).update(from: src + (o &* n &+ start &+ j &* step) &* inner, count: inner)
          }
        }
      }
    }
    let inputShape = shape
    return Tensor.record("slice", output: out, inputs: [self]) { g, _ in
      var gx = Tensor.zeros(inputShape)
      g.withUnsafeBufferPointer { gp in
        gx.withUnsafeMutableBufferPointer { dp in
          guard let src = gp.baseAddress, let dst = dp.baseAddress else { return }
          for o in 0..<outer {
            for j in 0..<m {
              (dst + (o &* n &+ start &+ j &* step) &* inner).update(from: src + (o &* m &+ j) &* inner, count: inner)
            }
          }
        }
      }
      return [gx]
    }
  }
}
