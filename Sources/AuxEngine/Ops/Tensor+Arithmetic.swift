/// Element-wise arithmetic with broadcasting, differentiable.
extension Tensor {
  /// Sums `self` down to `shape` by adding over broadcast dimensions (the adjoint of broadcasting).
  public func sumToShape(_ target: [Int]) -> Tensor {
    if shape == target { return self }
    let lead = rank - target.count
    precondition(lead >= 0, "sumToShape: cannot reduce shape \(shape) to the larger rank of \(target)")
    var axes: [Int] = Array(0..<lead)
    for i in 0..<target.count where target[i] == 1 && shape[lead + i] != 1 {
      axes.append(lead + i)
    }
    for i in 0..<target.count {
      precondition(target[i] == 1 || target[i] == shape[lead + i], "sumToShape: shape \(shape) does not broadcast from \(target)")
    }
    let s = axes.isEmpty ? self : sum(axes: axes)
    return s.reshaped(target)
  }

  public static func + (a: Tensor, b: Tensor) -> Tensor {
    let out = ElementwiseKernels.broadcast(a, b, op: "add") { $0 + $1 }
    let (sa, sb) = (a.shape, b.shape)
    return record("add", output: out, inputs: [a, b]) { g, need in
      [need[0] ? g.sumToShape(sa) : nil, need[1] ? g.sumToShape(sb) : nil]
    }
  }

  public static func - (a: Tensor, b: Tensor) -> Tensor {
    let out = ElementwiseKernels.broadcast(a, b, op: "sub") { $0 - $1 }
    let (sa, sb) = (a.shape, b.shape)
    return record("sub", output: out, inputs: [a, b]) { g, need in
      [need[0] ? g.sumToShape(sa) : nil, need[1] ? (-g).sumToShape(sb) : nil]
    }
  }

  public static func * (a: Tensor, b: Tensor) -> Tensor {
    let out = ElementwiseKernels.broadcast(a, b, op: "mul") { $0 * $1 }
    let (ad, bd) = (a.detached(), b.detached())
    return record("mul", output: out, inputs: [a, b]) { g, need in
      [need[0] ? (g * bd).sumToShape(ad.shape) : nil, need[1] ? (g * ad).sumToShape(bd.shape) : nil]
    }
  }

  public static func / (a: Tensor, b: Tensor) -> Tensor {
    let out = ElementwiseKernels.broadcast(a, b, op: "div") { $0 / $1 }
    let (ad, bd) = (a.detached(), b.detached())
    return record("div", output: out, inputs: [a, b]) { g, need in
      [
        need[0] ? (g / bd).sumToShape(ad.shape) : nil,
        need[1] ? (g * ad / (bd * bd)).negated().sumToShape(bd.shape) : nil,
      ]
    }
  }

  public static prefix func - (a: Tensor) -> Tensor { a.negated() }

  /// `-self`.
  public func negated() -> Tensor {
    let out = ElementwiseKernels.map(self) { -$0 }
    return Tensor.record("neg", output: out, inputs: [self]) { g, _ in [g.negated()] }
  }

  // MARK: Scalar operands

  public static func + (a: Tensor, s: Float) -> Tensor {
    let out = ElementwiseKernels.map(a) { $0 + s }
    return record("add_scalar", output: out, inputs: [a]) { g, _ in [g] }
  }
  public static func + (s: Float, a: Tensor) -> Tensor { a + s }
  public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
  public static func - (s: Float, a: Tensor) -> Tensor { a.negated() + s }

  public static func * (a: Tensor, s: Float) -> Tensor {
    let out = ElementwiseKernels.map(a) { $0 * s }
    return record("mul_scalar", output: out, inputs: [a]) { g, _ in [g * s] }
  }
  public static func * (s: Float, a: Tensor) -> Tensor { a * s }

  public static func / (a: Tensor, s: Float) -> Tensor {
    let out = ElementwiseKernels.map(a) { $0 / s }
    return record("div_scalar", output: out, inputs: [a]) { g, _ in [g / s] }
  }

  public static func / (s: Float, a: Tensor) -> Tensor {
    let out = ElementwiseKernels.map(a) { s / $0 }
    let ad = a.detached()
    return record("rdiv_scalar", output: out, inputs: [a]) { g, _ in
      [ElementwiseKernels.zip(g, ad) { gv, x in -s * gv / (x * x) }]
    }
  }
}
