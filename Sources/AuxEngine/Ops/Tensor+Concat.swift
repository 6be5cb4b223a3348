/// Joining tensors along an axis (PyTorch's `torch.cat` and `torch.stack`).
extension Tensor {
  /// The tensors joined along an existing `axis` (PyTorch's `torch.cat(tensors, dim)`).
  ///
  /// All tensors must have the same rank and the same extents except along `axis` (negative axes
  /// count from the end). The gradient of each input is the matching slice of the upstream
  /// gradient.
  public static func concat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "concat: needs at least one tensor")
    let first = tensors[0]
    let split0 = AxisSplit(first.shape, axis: axis, op: "concat")
    let a = split0.axis
    var sizes: [Int] = []
    for (k, t) in tensors.enumerated() {
      var s = t.shape
      var f = first.shape
      precondition(
        s.count == f.count,
        "concat: tensor \(k) has shape \(t.shape), rank \(s.count), but tensor 0 has shape \(first.shape), rank \(f.count)")
      sizes.append(s[a])
      s[a] = 0
      f[a] = 0
      precondition(
        s == f,
        "concat: tensor \(k) has shape \(t.shape), which differs from tensor 0's shape \(first.shape) outside axis \(axis)")
    }
    if tensors.count == 1 { return first }
    var outShape = first.shape
    outShape[a] = sizes.reduce(0, +)
    let outer = split0.outer
    let inner = split0.inner
    let total = outShape[a]
    var out = Tensor.uninitialized(outShape)
    out.withUnsafeMutableBufferPointer { op in
      guard let dst = op.baseAddress else { return }
      var offset = 0
      for (k, t) in tensors.enumerated() {
        let block = sizes[k] &* inner
        t.withUnsafeBufferPointer { tp in
          guard let src = tp.baseAddress, block > 0 else { return }
          for o in 0..<outer {
            (dst + (o &* total &+ offset) &* inner).update(from: src + o &* block, count: block)
          }
        }
        offset += sizes[k]
      }
    }
    let shapes = tensors.map(\.shape)
    return record("concat", output: out, inputs: tensors) { g, need in
      var grads: [Tensor?] = []
      var offset = 0
      g.withUnsafeBufferPointer { gp in
        for (k, s) in shapes.enumerated() {
          defer { offset += sizes[k] }
          guard need[k] else {
            grads.append(nil)
            continue
          }
          var gk = Tensor.uninitialized(s)
          let block = sizes[k] &* inner
          gk.withUnsafeMutableBufferPointer { dp in
            guard let dst = dp.baseAddress, let src = gp.baseAddress, block > 0 else { return }
            for o in 0..<outer {
              (dst + o &* block).update(from: src + (o &* total &+ offset) &* inner, count: block)
            }
          }
          grads.append(gk)
        }
      }
      return grads
    }
  }

  /// The tensors stacked along a new `axis` (PyTorch's `torch.stack(tensors, dim)`).
  ///
  /// All tensors must have the same shape; `axis` may be `0...rank` (negative values count from
  /// `rank + 1`).
  public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "stack: needs at least one tensor")
    let shape = tensors[0].shape
    for (k, t) in tensors.enumerated() {
      precondition(t.shape == shape, "stack: tensor \(k) has shape \(t.shape) but tensor 0 has shape \(shape)")
    }
    let r = shape.count
    let a = axis < 0 ? axis + r + 1 : axis
    precondition(a >= 0 && a <= r, "stack: axis \(axis) is out of range for stacking tensors of shape \(shape) (rank \(r))")
    return concat(tensors.map { $0.unsqueezed(at: a) }, axis: a)
  }
}
