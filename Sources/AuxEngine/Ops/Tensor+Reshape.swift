/// Shape changes that keep the element order (views sharing storage).
extension Tensor {
  /// The same elements with a new shape. One dimension may be -1 (inferred). Shares storage.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var target = newShape
    let inferred = target.indices.filter { target[$0] == -1 }
    precondition(inferred.count <= 1, "reshape: at most one dimension may be -1, got \(newShape)")
    if let i = inferred.first {
      let known = target.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
      precondition(known > 0 && count % known == 0, "reshape: cannot reshape tensor of shape \(shape) (\(count) elements) to \(newShape)")
      target[i] = count / known
    }
    Shape.validate(target, op: "reshape")
    precondition(Shape.count(target) == count, "reshape: cannot reshape tensor of shape \(shape) (\(count) elements) to \(newShape) (\(Shape.count(target)) elements)")
    if target == shape { return self }
    let out = Tensor(shape: target, storage: storage)
    let original = shape
    return Tensor.record("reshape", output: out, inputs: [self]) { g, _ in [g.reshaped(original)] }
  }

  /// The elements as a 1-D tensor.
  public func flattened() -> Tensor { reshaped([count]) }

  /// Flattens dimensions `startAxis...` into one (PyTorch's `flatten(start_dim)`).
  public func flattened(from startAxis: Int) -> Tensor {
    let a = Shape.axis(startAxis, rank: rank, op: "flatten")
    return reshaped(Array(shape[..<a]) + [shape[a...].reduce(1, *)])
  }

  /// Inserts a dimension of size 1 at `axis`.
  public func unsqueezed(at axis: Int) -> Tensor {
    let a = axis < 0 ? axis + rank + 1 : axis
    precondition(a >= 0 && a <= rank, "unsqueeze: axis \(axis) is out of range for rank \(rank)")
    var s = shape
    s.insert(1, at: a)
    return reshaped(s)
  }

  /// Removes a dimension of size 1 at `axis`.
  public func squeezed(at axis: Int) -> Tensor {
    let a = Shape.axis(axis, rank: rank, op: "squeeze")
    precondition(shape[a] == 1, "squeeze: dimension \(axis) of shape \(shape) has size \(shape[a]), not 1")
    var s = shape
    s.remove(at: a)
    return reshaped(s)
  }
}
