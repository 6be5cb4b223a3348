/// Selecting rows by index (PyTorch's `index_select` along dimension 0).
extension Tensor {
  /// The rows `indices` of the first dimension, in that order (indices may repeat).
  ///
  /// The gradient scatters back with addition, so repeated indices accumulate.
  public func gatherRows(_ indices: [Int]) -> Tensor {
    precondition(rank >= 1, "gatherRows: tensor of shape \(shape) has no first dimension")
    let rows = shape[0]
    let rowSize = rank == 0 ? 1 : count / Swift.max(rows, 1)
    for i in indices {
      precondition(i >= 0 && i < rows, "gatherRows: index \(i) is out of range for \(rows) rows (shape \(shape))")
    }
    var outShape = shape
    outShape[0] = indices.count
    var out = Tensor.uninitialized(outShape)
    withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for (k, i) in indices.enumerated() {
          (dst.baseAddress! + k * rowSize).update(from: src.baseAddress! + i * rowSize, count: rowSize)
        }
      }
    }
    let s = shape
    return Tensor.record("gather_rows", output: out, inputs: [self]) { g, _ in
      var gx = Tensor.zeros(s)
      g.withUnsafeBufferPointer { gp in
        gx.withUnsafeMutableBufferPointer { dp in
          for (k, i) in indices.enumerated() {
            let d = dp.baseAddress! + i * rowSize
            let s = gp.baseAddress! + k * rowSize
            for j in 0..<rowSize { d[j] += s[j] }
          }
        }
      }
      return [gx]
    }
  }
}
