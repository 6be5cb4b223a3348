/// Pointer kernels for element-wise maps with NumPy broadcasting.
///
/// The closures passed in are literals at every call site and these functions are always inlined,
/// so the optimiser specialises each loop to straight-line, vectorisable code.
public enum ElementwiseKernels {
  /// `out[i] = f(x[i])` over a whole tensor.
  @inline(__always)
  public static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
    var out = Tensor.uninitialized(x.shape)
    let n = x.count
    x.withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { op in
        let xs = xp.baseAddress!
        let os = op.baseAddress!
        for i in 0..<n { os[i] = f(xs[i]) }
      }
    }
    return out
  }

  /// `out[i] = f(x[i], y[i])` for two tensors of the same shape.
  @inline(__always)
  public static func zip(_ x: Tensor, _ y: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    precondition(x.shape == y.shape, "ElementwiseKernels.zip: shapes \(x.shape) and \(y.shape) differ")
    var out = Tensor.uninitialized(x.shape)
    let n = x.count
    x.withUnsafeBufferPointer { xp in
      y.withUnsafeBufferPointer { yp in
        out.withUnsafeMutableBufferPointer { op in
          let xs = xp.baseAddress!
          let ys = yp.baseAddress!
          let os = op.baseAddress!
          for i in 0..<n { os[i] = f(xs[i], ys[i]) }
        }
      }
    }
    return out
  }

  /// `out = f(a, b)` with broadcasting; `op` names the operation in shape errors.
  @inline(__always)
  public static func broadcast(_ a: Tensor, _ b: Tensor, op: String, _ f: (Float, Float) -> Float) -> Tensor {
    if a.shape == b.shape { return zip(a, b, f) }
    let shape = Shape.broadcast(a.shape, b.shape, op: op)
    var out = Tensor.uninitialized(shape)
    let plan = BroadcastPlan(shape: shape, a: a.shape, b: b.shape)
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        out.withUnsafeMutableBufferPointer { op in
          let A = ap.baseAddress!
          let B = bp.baseAddress!
          var O = op.baseAddress!
          let inner = plan.innerCount
          let sa = plan.innerStrideA
          let sb = plan.innerStrideB
          plan.forEachRow { oa, ob in
            let pa = A + oa
            let pb = B + ob
            if sa == 1 && sb == 1 {
              for i in 0..<inner { O[i] = f(pa[i], pb[i]) }
            } else if sa == 1 {
              let v = pb[0]
              for i in 0..<inner { O[i] = f(pa[i], v) }
            } else if sb == 1 {
              let v = pa[0]
              for i in 0..<inner { O[i] = f(v, pb[i]) }
            } else {
              let v = f(pa[0], pb[0])
              for i in 0..<inner { O[i] = v }
            }
            O += inner
          }
        }
      }
    }
    return out
  }
}

/// An iteration plan for a broadcast binary op: dimensions are coalesced where both inputs allow it,
/// leaving an inner run of `innerCount` elements in which each input's stride is 0 or 1.
public struct BroadcastPlan {
  /// Outer dimensions (after coalescing), outermost first.
  public let outerShape: [Int]
  let outerStridesA: [Int]
  let outerStridesB: [Int]
  /// Length of the innermost run.
  public let innerCount: Int
  /// Stride of input A within the inner run (0 or 1).
  public let innerStrideA: Int
  /// Stride of input B within the inner run (0 or 1).
  public let innerStrideB: Int

  /// Plans a broadcast of shapes `a` and `b` to `shape`.
  public init(shape: [Int], a: [Int], b: [Int]) {
    var dims = shape
    var sa = Shape.broadcastStrides(a, to: shape)
    var sb = Shape.broadcastStrides(b, to: shape)
    // Drop size-1 dimensions, then merge neighbours that are contiguous for both inputs.
    var d2: [Int] = []
    var a2: [Int] = []
    var b2: [Int] = []
    for i in 0..<dims.count where dims[i] != 1 {
      d2.append(dims[i])
      a2.append(sa[i])
      b2.append(sb[i])
    }
    dims = d2
    sa = a2
    sb = b2
    var i = dims.count - 1
    while i > 0 {
      if sa[i - 1] == sa[i] * dims[i] && sb[i - 1] == sb[i] * dims[i] {
        dims[i - 1] *= dims[i]
        sa[i - 1] = sa[i]
        sb[i - 1] = sb[i]
        dims.remove(at: i)
        sa.remove(at: i)
        sb.remove(at: i)
      }
      i -= 1
    }
    if dims.isEmpty {
      dims = [1]
      sa = [0]
      sb = [0]
    }
    // The inner run must have strides 0 or 1 for both inputs; otherwise it becomes an outer
    // dimension and the inner run has length 1.
    if (sa.last! == 0 || sa.last! == 1) && (sb.last! == 0 || sb.last! == 1) {
      innerCount = dims.removeLast()
      innerStrideA = sa.removeLast()
      innerStrideB = sb.removeLast()
    } else {
      innerCount = 1
      innerStrideA = 0
      innerStrideB = 0
    }
    outerShape = dims
    outerStridesA = sa
    outerStridesB = sb
  }

  /// Calls `body` with the offsets into A and B of every inner run, in row-major order.
  @inline(__always)
  public func forEachRow(_ body: (Int, Int) -> Void) {
    let r = outerShape.count
    if r == 0 {
      body(0, 0)
      return
    }
    var index = [Int](repeating: 0, count: r)
    var oa = 0
    var ob = 0
    let total = Shape.count(outerShape)
    for _ in 0..<total {
      body(oa, ob)
      var d = r - 1
      while d >= 0 {
        index[d] += 1
        oa += outerStridesA[d]
        ob += outerStridesB[d]
        if index[d] < outerShape[d] { break }
        oa -= outerStridesA[d] * outerShape[d]
        ob -= outerStridesB[d] * outerShape[d]
        index[d] = 0
        d -= 1
      }
    }
  }
}
