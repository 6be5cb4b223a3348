/// Axis permutations (materialised copies; tensors are always contiguous).
extension Tensor {
  /// The tensor with its axes reordered: result dimension `i` is input dimension `order[i]`.
  public func permuted(_ order: [Int]) -> Tensor {
    precondition(order.count == rank && Set(order) == Set(0..<rank), "permute: \(order) is not a permutation of the \(rank) axes of shape \(shape)")
    if order == Array(0..<rank) { return self }
    let out = PermuteKernels.permute(self.detached(), order)
    var inverse = [Int](repeating: 0, count: rank)
    for (i, o) in order.enumerated() { inverse[o] = i }
    return Tensor.record("permute", output: out, inputs: [self]) { g, _ in [PermuteKernels.permute(g, inverse)] }
  }

  /// Swaps two axes (default: the last two).
  public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
    precondition(rank >= 2, "transpose: tensor of shape \(shape) has fewer than 2 dimensions")
    let x = Shape.axis(a, rank: rank, op: "transpose")
    let y = Shape.axis(b, rank: rank, op: "transpose")
    var order = Array(0..<rank)
    order.swapAt(x, y)
    return permuted(order)
  }
}

/// Pointer kernel for axis permutation.
public enum PermuteKernels {
  /// Copies `x` into a new contiguous tensor with axes reordered by `order`.
  public static func permute(_ x: Tensor, _ order: [Int]) -> Tensor {
    let inShape = x.shape
    let outShape = order.map { inShape[$0] }
    let inStrides = Shape.strides(inShape)
    let srcStrides = order.map { inStrides[$0] }
    var out = Tensor.uninitialized(outShape)
    let r = outShape.count
    guard x.count > 0 else { return out }
    x.withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { op in
        let src = xp.baseAddress!
        var dst = op.baseAddress!
        let inner = outShape[r - 1]
        let innerStride = srcStrides[r - 1]
        var index = [Int](repeating: 0, count: r)
        var base = 0
        let rows = x.count / inner
        for _ in 0..<rows {
          if innerStride == 1 {
            dst.update(from: src + base, count: inner)
          } else {
            var s = base
            for j in 0..<inner {
              dst[j] = src[s]
              s += innerStride
            }
          }
          dst += inner
          var d = r - 2
          while d >= 0 {
            index[d] += 1
            base += srcStrides[d]
            if index[d] < outShape[d] { break }
            base -= srcStrides[d] * outShape[d]
            index[d] = 0
            d -= 1
          }
        }
      }
    }
    return out
  }
}
