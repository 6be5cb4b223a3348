#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Differentiable element-wise functions. Gradients at non-differentiable points follow PyTorch:
/// `relu'(0) = 0`, `abs'(0) = 0`, and `clamp` passes the gradient where `min ≤ x ≤ max`.
///
/// NaN propagates as in PyTorch: `relu(NaN)` and `clamp(NaN)` are NaN (a NaN pixel must not
/// vanish on its way to the loss, where the trainer stops the run and names it). At NaN, ReLU
/// passes the gradient (PyTorch masks only where the result is ≤ 0) and clamp gives none.
extension Tensor {
  /// e^x.
  public func exp() -> Tensor {
    let out = ElementwiseKernels.map(self) { expf($0) }
    return Tensor.record("exp", output: out, inputs: [self]) { g, _ in [g * out] }
  }

  /// Natural logarithm.
  public func log() -> Tensor {
    let out = ElementwiseKernels.map(self) { logf($0) }
    let x = detached()
    return Tensor.record("log", output: out, inputs: [self]) { g, _ in [g / x] }
  }

  /// Square root.
  public func sqrt() -> Tensor {
    let out = ElementwiseKernels.map(self) { $0.squareRoot() }
    return Tensor.record("sqrt", output: out, inputs: [self]) { g, _ in
      [ElementwiseKernels.zip(g, out) { gv, y in gv * 0.5 / y }]
    }
  }

  /// x raised to a constant power.
  public func pow(_ exponent: Float) -> Tensor {
    let out: Tensor
    switch exponent {
    case 2: out = ElementwiseKernels.map(self) { $0 * $0 }
    case 1: out = ElementwiseKernels.map(self) { $0 }
    case 0.5: out = ElementwiseKernels.map(self) { $0.squareRoot() }
    default: out = ElementwiseKernels.map(self) { powf($0, exponent) }
    }
    let x = detached()
    return Tensor.record("pow", output: out, inputs: [self]) { g, _ in
      if exponent == 0 { return [Tensor.zeros(x.shape)] }
      let p1 = exponent - 1
      return [ElementwiseKernels.zip(g, x) { gv, xv in gv * exponent * (p1 == 1 ? xv : powf(xv, p1)) }]
    }
  }

  /// Element-wise power with a tensor exponent (broadcasting): `self ^ exponent`.
  public func pow(_ exponent: Tensor) -> Tensor {
    let out = ElementwiseKernels.broadcast(self, exponent, op: "pow") { powf($0, $1) }
    let (x, e) = (detached(), exponent.detached())
    return Tensor.record("pow_tensor", output: out, inputs: [self, exponent]) { g, need in
      [
        need[0] ? (g * e * ElementwiseKernels.broadcast(x, e, op: "pow backward") { powf($0, $1 - 1) }).sumToShape(x.shape) : nil,
        // d/de x^e = x^e · ln x (PyTorch masks x == 0 to a zero gradient).
        need[1] ? (g * ElementwiseKernels.broadcast(out, x, op: "pow backward") { y, xv in xv == 0 ? 0 : y * logf(xv) }).sumToShape(e.shape) : nil,
      ]
    }
  }

  /// |x|.
  public func abs() -> Tensor {
    let out = ElementwiseKernels.map(self) { Swift.abs($0) }
    let x = detached()
    return Tensor.record("abs", output: out, inputs: [self]) { g, _ in
      [ElementwiseKernels.zip(g, x) { gv, xv in xv > 0 ? gv : (xv < 0 ? -gv : 0) }]
    }
  }

  /// x limited to `[min, max]` (either bound may be nil); NaN stays NaN and gets no gradient.
  public func clamped(min lo: Float? = nil, max hi: Float? = nil) -> Tensor {
    let l = lo ?? -Float.infinity
    let h = hi ?? Float.infinity
    precondition(!(l > h), "clamp: min \(l) is greater than max \(h)")
    // Both comparisons are false for NaN, which is passed through (one max and one min
    // instruction per vector: the operand order is the one whose NaN rule matches).
    let out = ElementwiseKernels.map(self) { x in
      let y = x < l ? l : x
      return y > h ? h : y
    }
    let x = detached()
    return Tensor.record("clamp", output: out, inputs: [self]) { g, _ in
      [ElementwiseKernels.zip(g, x) { gv, xv in (xv >= l && xv <= h) ? gv : 0 }]
    }
  }

  /// max(x, 0), with `relu(NaN) = NaN` (PyTorch's `relu`, which is `clamp_min(x, 0)`).
  ///
  /// The gradient is zero where the result is ≤ 0 and passes elsewhere, NaN included (PyTorch's
  /// `threshold_backward`).
  public func relu() -> Tensor {
    // `x < 0` is false for NaN, so NaN is kept (`x > 0 ? x : 0` once turned it into 0).
    let out = ElementwiseKernels.map(self) { $0 < 0 ? 0 : $0 }
    return Tensor.record("relu", output: out, inputs: [self]) { g, _ in
      [ElementwiseKernels.zip(g, out) { gv, y in y <= 0 ? 0 : gv }]
    }
  }

  /// 1 / (1 + e^−x), computed without overflow for large |x|.
  public func sigmoid() -> Tensor {
    let out = ElementwiseKernels.map(self) { x in
      if x >= 0 {
        return 1 / (1 + expf(-x))
      } else {
        let e = expf(x)
        return e / (1 + e)
      }
    }
    return Tensor.record("sigmoid", output: out, inputs: [self]) { g, _ in
      [ElementwiseKernels.zip(g, out) { gv, y in gv * y * (1 - y) }]
    }
  }

  /// Hyperbolic tangent.
  public func tanh() -> Tensor {
    let out = ElementwiseKernels.map(self) { tanhf($0) }
    return Tensor.record("tanh", output: out, inputs: [self]) { g, _ in
      [ElementwiseKernels.zip(g, out) { gv, y in gv * (1 - y * y) }]
    }
  }
}
