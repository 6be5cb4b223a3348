/// Sum and mean reductions, differentiable.
extension Tensor {
  /// Sum of all elements (a scalar tensor). Accumulates in Double.
  public func sum() -> Tensor {
    let out = Tensor(Float(ReductionKernels.sumAll(self)))
    let s = shape
    return Tensor.record("sum", output: out, inputs: [self]) { g, _ in
      [Tensor(shape: s, repeating: g.item)]
    }
  }

  /// Mean of all elements (a scalar tensor).
  public func mean() -> Tensor {
    precondition(count > 0, "mean: tensor of shape \(shape) is empty")
    let n = Float(count)
    let out = Tensor(Float(ReductionKernels.sumAll(self) / Double(count)))
    let s = shape
    return Tensor.record("mean", output: out, inputs: [self]) { g, _ in
      [Tensor(shape: s, repeating: g.item / n)]
    }
  }

  /// Sum over `axes` (negative axes count from the end); reduced dimensions are kept with size 1
  /// when `keepDim` is true.
  public func sum(axes: [Int], keepDim: Bool = false) -> Tensor {
    let ax = Shape.axes(axes, rank: rank, op: "sum")
    var out = self.detached()
    for a in ax.reversed() { out = ReductionKernels.sumAxis(out, axis: a) }
    let keptShape = shape.enumerated().map { ax.contains($0.offset) ? 1 : $0.element }
    let finalShape = keepDim ? keptShape : shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
    out = Tensor(shape: finalShape, storage: out.storage)
    let s = shape
    return Tensor.record("sum_axes", output: out, inputs: [self]) { g, _ in
      [g.reshaped(keptShape).broadcast(to: s)]
    }
  }

  /// Sum over one axis.
  public func sum(axis: Int, keepDim: Bool = false) -> Tensor { sum(axes: [axis], keepDim: keepDim) }

  /// Mean over `axes`.
  public func mean(axes: [Int], keepDim: Bool = false) -> Tensor {
    let ax = Shape.axes(axes, rank: rank, op: "mean")
    let n = ax.reduce(1) { $0 * shape[$1] }
    precondition(n > 0, "mean: reducing empty axes \(axes) of shape \(shape)")
    return sum(axes: ax, keepDim: keepDim) / Float(n)
  }

  /// Mean over one axis.
  public func mean(axis: Int, keepDim: Bool = false) -> Tensor { mean(axes: [axis], keepDim: keepDim) }

  /// A copy of `self` repeated along broadcast dimensions to `target` (materialised).
  ///
  /// This is the differentiable `expand` of PyTorch followed by `contiguous()`; its gradient sums
  /// over the expanded dimensions.
  public func broadcast(to target: [Int]) -> Tensor {
    if shape == target { return self }
    let checked = Shape.broadcast(shape, target, op: "expand")
    precondition(checked == target, "expand: shape \(shape) cannot be expanded to \(target)")
    let fixed = ReductionKernels.expand(self, to: target)
    let s = shape
    return Tensor.record("expand", output: fixed, inputs: [self]) { g, _ in [g.sumToShape(s)] }
  }
}

/// Pointer kernels for reductions.
public enum ReductionKernels {
  /// Sum of all elements, accumulated in Double with eight independent lanes.
  public static func sumAll(_ x: Tensor) -> Double {
    x.withUnsafeBufferPointer { p in
      let n = p.count
      guard n > 0 else { return 0 }
      let b = p.baseAddress!
      var acc = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
      var i = 0
      while i + 8 <= n {
        acc.0 += Double(b[i])
        acc.1 += Double(b[i + 1])
        acc.2 += Double(b[i + 2])
        acc.3 += Double(b[i + 3])
        acc.4 += Double(b[i + 4])
        acc.5 += Double(b[i + 5])
        acc.6 += Double(b[i + 6])
        acc.7 += Double(b[i + 7])
        i += 8
      }
      var total = ((acc.0 + acc.1) + (acc.2 + acc.3)) + ((acc.4 + acc.5) + (acc.6 + acc.7))
      while i < n {
        total += Double(b[i])
        i += 1
      }
      return total
    }
  }

  /// Materialises `x` broadcast to `target`.
  public static func expand(_ x: Tensor, to target: [Int]) -> Tensor {
    var out = Tensor.uninitialized(target)
    let plan = BroadcastPlan(shape: target, a: x.shape, b: target)
    x.withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { op in
        guard let src = xp.baseAddress, var dst = op.baseAddress else { return }
        let inner = plan.innerCount
        let sa = plan.innerStrideA
        plan.forEachRow { oa, _ in
          if sa == 1 {
            dst.update(from: src + oa, count: inner)
          } else {
            dst.update(repeating: src[oa], count: inner)
          }
          dst += inner
        }
      }
    }
    return out
  }

  /// Sums one axis away: shape `[..., n, ...]` → `[..., ...]` (the axis removed).
  public static func sumAxis(_ x: Tensor, axis: Int) -> Tensor {
    let outer = x.shape[..<axis].reduce(1, *)
    let n = x.shape[axis]
    let inner = x.shape[(axis + 1)...].reduce(1, *)
    var outShape = x.shape
    outShape.remove(at: axis)
    var out = Tensor.uninitialized(outShape)
    x.withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { op in
        guard let xs = xp.baseAddress, let os = op.baseAddress else { return }
        if inner == 1 {
          for o in 0..<outer {
            let row = xs + o * n
            var acc0: Double = 0
            var acc1: Double = 0
            var i = 0
            while i + 2 <= n {
              acc0 += Double(row[i])
              acc1 += Double(row[i + 1])
              i += 2
            }
            if i < n { acc0 += Double(row[i]) }
            os[o] = Float(acc0 + acc1)
          }
        } else {
          for o in 0..<outer {
            let dst = os + o * inner
            let src = xs + o * n * inner
            for j in 0..<inner { dst[j] = 0 }
            for k in 0..<n {
              let row = src + k * inner
              for j in 0..<inner { dst[j] += row[j] }
            }
          }
        }
      }
    }
    return out
  }
}
