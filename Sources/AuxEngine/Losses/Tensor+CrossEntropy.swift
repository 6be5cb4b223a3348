/// Softmax cross-entropy on logits, fused into one op (PyTorch's `F.cross_entropy`).
///
/// Logits have shape `[N, C]`, `[N, C, d1, …, dk]` (dense prediction, e.g. `[N, C, H, W]`) or `[C]`
/// (one unbatched sample); the class axis is 1 (0 for `[C]`). The log-sum-exp is computed stably
/// per sample/pixel and kept for the backward pass, which is the closed form
/// `softmax − one-hot` scaled by the class weight and the reduction.
extension Tensor {
  /// Cross-entropy of logits `self` against integer class indices (PyTorch's
  /// `F.cross_entropy(input, target, weight, ignore_index, reduction)` with a `long` target).
  ///
  /// The loss at sample/pixel `j` with class `y_j` is `w[y_j] · (logsumexp(x_j) − x_j[y_j])`, and 0
  /// where `y_j == ignoreIndex`.
  ///
  /// - `.mean` divides the sum by `Σ_j w[y_j]` over the non-ignored elements (PyTorch's weighted
  ///   mean; the plain mean over non-ignored elements without weights).
  /// - **Deviation from PyTorch:** when that denominator is 0 (every element ignored, or all
  ///   present classes weighted 0), PyTorch returns NaN; this returns 0 with a zero gradient, so an
  ///   all-ignored batch cannot poison training.
  /// - `.sum` adds the per-element losses; `.none` returns them with the target's shape (0 at
  ///   ignored elements).
  ///
  /// - Parameters:
  ///   - target: class indices as whole-number `Float`s with shape `[N]`, `[N, d1, …, dk]`, or `[]`
  ///     for `[C]` logits. Each must be in `0..<C` or equal `ignoreIndex`; anything else stops
  ///     the program with a message. Targets are constants (no gradient).
  ///   - weight: optional per-class weights of shape `[C]` (constants).
  ///   - ignoreIndex: the target value that marks elements to skip (PyTorch's default −100; our
  ///     datasets use −1 or 255).
  ///   - reduction: `.mean` (default), `.sum` or `.none`.
  public func crossEntropy(
    target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: LossReduction = .mean
  ) -> Tensor {
    let layout = CrossEntropyKernels.Layout(logits: shape, op: "crossEntropy")
    precondition(
      target.shape == layout.targetShape,
      "crossEntropy: target shape \(target.shape) does not fit logits shape \(shape); class-index targets must have shape \(layout.targetShape) (use crossEntropy(softTarget:) for probabilities)")
    precondition(!target.requiresGrad, "crossEntropy: class-index targets cannot require a gradient (target shape \(target.shape))")
    let w = CrossEntropyKernels.checkedWeight(weight, classes: layout.classes, op: "crossEntropy", logits: shape)
    let ignore = Float(ignoreIndex)
    let (n, c, s) = (layout.batch, layout.classes, layout.inner)
    var lse = Tensor.uninitialized([n * s])
    var perElement = Tensor.uninitialized(layout.targetShape)
    var total = 0.0
    var weightSum = 0.0
    withUnsafeBufferPointer { xp in
      target.withUnsafeBufferPointer { tp in
        lse.withUnsafeMutableBufferPointer { lp in
          perElement.withUnsafeMutableBufferPointer { ep in
            CrossEntropyKernels.withWeights(w, classes: c) { wp in
              for b in 0..<n {
                let x = xp.baseAddress! + b &* c &* s
                let l = lp.baseAddress! + b &* s
                CrossEntropyKernels.logSumExp(x, classes: c, inner: s, into: l)
                let t = tp.baseAddress! + b &* s
                let e = ep.baseAddress! + b &* s
                for j in 0..<s {
                  let tv = t[j]
                  if tv == ignore {
                    e[j] = 0
                    continue
                  }
                  let k = CrossEntropyKernels.classIndex(tv, classes: c, ignoreIndex: ignoreIndex, element: b &* s &+ j, logits: self.shape)
                  let wk = wp?[k] ?? 1
                  let loss = wk * (l[j] - x[k &* s &+ j])
                  e[j] = loss
                  total += Double(loss)
                  weightSum += Double(wk)
                }
              }
            }
          }
        }
      }
    }
    let out: Tensor
    switch reduction {
    case .none: out = perElement
    case .sum: out = Tensor(Float(total))
    case .mean: out = Tensor(weightSum == 0 ? 0 : Float(total / weightSum))
    }
    let x = detached()
    let tgt = target.detached()
    let denominator = Float(weightSum)
    return Tensor.record("cross_entropy", output: out, inputs: [self]) { g, _ in
      var gx = Tensor.uninitialized(x.shape)
      var coef = Tensor.uninitialized([s])
      let uniform: Float
      switch reduction {
      case .none: uniform = 0
      case .sum: uniform = g.item
      case .mean: uniform = denominator == 0 ? 0 : g.item / denominator
      }
      x.withUnsafeBufferPointer { xp in
        tgt.withUnsafeBufferPointer { tp in
          lse.withUnsafeBufferPointer { lp in
            g.withUnsafeBufferPointer { gp in
              gx.withUnsafeMutableBufferPointer { dp in
                coef.withUnsafeMutableBufferPointer { cp in
                  CrossEntropyKernels.withWeights(w, classes: c) { wp in
                    let co = cp.baseAddress!
                    for b in 0..<n {
                      let t = tp.baseAddress! + b &* s
                      for j in 0..<s {
                        let tv = t[j]
                        if tv == ignore {
                          co[j] = 0
                        } else {
                          let scale = reduction == .none ? gp[b &* s &+ j] : uniform
                          co[j] = scale * (wp?[Int(tv)] ?? 1)
                        }
                      }
                      let base = b &* c &* s
                      let xs = xp.baseAddress! + base
                      let ds = dp.baseAddress! + base
                      let l = lp.baseAddress! + b &* s
                      CrossEntropyKernels.scaledSoftmax(xs, lse: l, coefficients: co, classes: c, inner: s, into: ds)
                      for j in 0..<s where t[j] != ignore {
                        ds[Int(t[j]) &* s &+ j] -= co[j]
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      return [gx]
    }
  }

  /// Cross-entropy of logits `self` against class probabilities ("soft targets"), as PyTorch's
  /// `F.cross_entropy(input, target, weight, reduction)` with a floating-point target of the
  /// logits' shape.
  ///
  /// The loss at sample/pixel `j` is `−Σ_c w[c] · p_j[c] · log_softmax(x_j)[c]`. `.mean` divides
  /// the sum by the number of samples/pixels (`N · d1 ⋯ dk`), not by the weights — PyTorch's rule
  /// for probability targets. There is no ignore index (PyTorch has none for probabilities either);
  /// give an ignored pixel an all-zero probability vector to drop it from the sum.
  ///
  /// The target may require a gradient (`−w[c] · log_softmax(x)[c]` times the upstream gradient),
  /// e.g. for distillation between two networks.
  ///
  /// - Parameters:
  ///   - softTarget: probabilities with the logits' shape.
  ///   - weight: optional per-class weights of shape `[C]` (constants).
  ///   - reduction: `.mean` (default), `.sum` or `.none` (shape `[N, d1, …, dk]`).
  public func crossEntropy(softTarget: Tensor, weight: Tensor? = nil, reduction: LossReduction = .mean) -> Tensor {
    let layout = CrossEntropyKernels.Layout(logits: shape, op: "crossEntropy(softTarget:)")
    precondition(
      softTarget.shape == shape,
      "crossEntropy(softTarget:): target shape \(softTarget.shape) must equal the logits shape \(shape) (use crossEntropy(target:) for class indices)")
    let w = CrossEntropyKernels.checkedWeight(weight, classes: layout.classes, op: "crossEntropy(softTarget:)", logits: shape)
    let (n, c, s) = (layout.batch, layout.classes, layout.inner)
    var lse = Tensor.uninitialized([n * s])
    var perElement = Tensor.uninitialized(layout.targetShape)
    var total = 0.0
    withUnsafeBufferPointer { xp in
      softTarget.withUnsafeBufferPointer { pp in
        lse.withUnsafeMutableBufferPointer { lp in
          perElement.withUnsafeMutableBufferPointer { ep in
            CrossEntropyKernels.withWeights(w, classes: c) { wp in
              for b in 0..<n {
                let base = b &* c &* s
                let x = xp.baseAddress! + base
                let p = pp.baseAddress! + base
                let l = lp.baseAddress! + b &* s
                let e = ep.baseAddress! + b &* s
                CrossEntropyKernels.logSumExp(x, classes: c, inner: s, into: l)
                for j in 0..<s { e[j] = 0 }
                for k in 0..<c {
                  let wk = wp?[k] ?? 1
                  let off = k &* s
                  for j in 0..<s { e[j] += wk * p[off &+ j] * (l[j] - x[off &+ j]) }
                }
                for j in 0..<s { total += Double(e[j]) }
              }
            }
          }
        }
      }
    }
    let out: Tensor
    switch reduction {
    case .none: out = perElement
    case .sum: out = Tensor(Float(total))
    case .mean: out = Tensor(Float(total / Double(Swift.max(n * s, 1))))
    }
    let x = detached()
    let prob = softTarget.detached()
    let elements = Float(Swift.max(n * s, 1))
    return Tensor.record("cross_entropy_soft", output: out, inputs: [self, softTarget]) { g, need in
      var gx: Tensor? = need[0] ? Tensor.uninitialized(x.shape) : nil
      var gp: Tensor? = need[1] ? Tensor.uninitialized(x.shape) : nil
      var scratch = Tensor.uninitialized([2 * s])
      let uniform: Float = reduction == .mean ? g.item / elements : (reduction == .sum ? g.item : 0)
      x.withUnsafeBufferPointer { xp in
        prob.withUnsafeBufferPointer { pp in
          lse.withUnsafeBufferPointer { lp in
            g.withUnsafeBufferPointer { up in
              scratch.withUnsafeMutableBufferPointer { sp in
                CrossEntropyKernels.withWeights(w, classes: c) { wp in
                  let scale = sp.baseAddress!
                  let mass = scale + s
                  for b in 0..<n {
                    let base = b &* c &* s
                    let xs = xp.baseAddress! + base
                    let ps = pp.baseAddress! + base
                    let l = lp.baseAddress! + b &* s
                    for j in 0..<s {
                      scale[j] = reduction == .none ? up[b &* s &+ j] : uniform
                      mass[j] = 0
                    }
                    if gx != nil {
                      for k in 0..<c {
                        let wk = wp?[k] ?? 1
                        let off = k &* s
                        for j in 0..<s { mass[j] += wk * ps[off &+ j] }
                      }
                      // d/dx_k = scale · (Σ_c w_c p_c · softmax_k − w_k p_k)
                      gx!.withUnsafeMutableBufferPointer { dp in
                        let ds = dp.baseAddress! + base
                        for k in 0..<c {
                          let wk = wp?[k] ?? 1
                          let off = k &* s
                          for j in 0..<s {
                            ds[off &+ j] = scale[j] * (mass[j] * FastMath.exp(xs[off &+ j] - l[j]) - wk * ps[off &+ j])
                          }
                        }
                      }
                    }
                    if gp != nil {
                      // d/dp_k = −scale · w_k · log_softmax_k
                      gp!.withUnsafeMutableBufferPointer { dp in
                        let ds = dp.baseAddress! + base
                        for k in 0..<c {
                          let wk = wp?[k] ?? 1
                          let off = k &* s
                          for j in 0..<s { ds[off &+ j] = scale[j] * wk * (l[j] - xs[off &+ j]) }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      return [gx, gp]
    }
  }
}

/// Pointer kernels and shape rules shared by the cross-entropy losses.
public enum CrossEntropyKernels {
  /// Logits viewed as `[batch, classes, inner]`.
  public struct Layout: Sendable {
    /// `N` (1 for unbatched `[C]` logits).
    public let batch: Int
    /// `C`, the extent of the class axis.
    public let classes: Int
    /// `d1 ⋯ dk`, the number of positions per sample (1 for `[N, C]`).
    public let inner: Int
    /// The shape of class-index targets and of `.none` results.
    public let targetShape: [Int]

    /// The layout of logits with the given shape; `op` names the operation in errors.
    public init(logits shape: [Int], op: String) {
      precondition(!shape.isEmpty, "\(op): logits must have shape [C], [N, C] or [N, C, d1, …], got a scalar")
      if shape.count == 1 {
        batch = 1
        classes = shape[0]
        inner = 1
        targetShape = []
      } else {
        batch = shape[0]
        classes = shape[1]
        inner = Shape.count(Array(shape[2...]))
        targetShape = [shape[0]] + shape[2...]
      }
      precondition(classes > 0, "\(op): logits of shape \(shape) have no classes (dimension 1 is 0)")
    }
  }

  /// Checks a class-weight tensor: shape `[C]`, constant.
  static func checkedWeight(_ weight: Tensor?, classes: Int, op: String, logits: [Int]) -> Tensor? {
    guard let weight else { return nil }
    precondition(weight.shape == [classes], "\(op): class weights have shape \(weight.shape), expected [\(classes)] for logits of shape \(logits)")
    precondition(!weight.requiresGrad, "\(op): class weights must be constants (they require a gradient; detach them)")
    return weight.detached()
  }

  @inline(__always)
  static func withWeights<R>(_ w: Tensor?, classes: Int, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let w else { return body(nil) }
    return w.withUnsafeBufferPointer { body($0.baseAddress!) }
  }

  /// The class index a target value stands for, or a stop with a message naming the element.
  @inline(__always)
  static func classIndex(_ t: Float, classes: Int, ignoreIndex: Int, element: Int, logits: [Int]) -> Int {
    if t >= 0 && t < Float(classes) && t == t.rounded(.down) { return Int(t) }
    preconditionFailure(
      "crossEntropy: target value \(t) at element \(element) is neither a class index in 0..<\(classes) nor ignoreIndex \(ignoreIndex) (logits shape \(logits))")
  }

  /// `lse[j] = log Σ_k exp(x[k·inner + j])` for a `[classes, inner]` block, stably.
  public static func logSumExp(_ x: UnsafePointer<Float>, classes c: Int, inner s: Int, into lse: UnsafeMutablePointer<Float>) {
    if s == 1 {
      var m = x[0]
      for k in 1..<c where x[k] > m { m = x[k] }
      var z: Float = 0
      for k in 0..<c { z += FastMath.exp(x[k] - m) }
      lse[0] = m + FastMath.log(z)
      return
    }
    // Column blocks of 256 positions: the block's rows stay in L1 for the max and exp-sum passes.
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { buffer in
      let z = buffer.baseAddress!
      var start = 0
      while start < s {
        let w = Swift.min(256, s - start)
        let m = lse + start
        let x0 = x + start
        for j in 0..<w { m[j] = x0[j] }
        for k in 1..<c {
          let row = x0 + k &* s
          for j in 0..<w {
            let v = row[j]
            m[j] = v > m[j] ? v : m[j]  // a select, so that the loop vectorises
          }
        }
        for j in 0..<w { z[j] = 0 }
        for k in 0..<c {
          let row = x0 + k &* s
          for j in 0..<w { z[j] += FastMath.exp(row[j] - m[j]) }
        }
        for j in 0..<w { m[j] += FastMath.log(z[j]) }
        start += w
      }
    }
  }

  /// `out[k·inner + j] = coef[j] · exp(x[k·inner + j] − lse[j])`, and exactly 0 where `coef[j] == 0`
  /// (so that ignored pixels with non-finite logits give a zero gradient).
  public static func scaledSoftmax(
    _ x: UnsafePointer<Float>, lse: UnsafePointer<Float>, coefficients coef: UnsafePointer<Float>,
    classes c: Int, inner s: Int, into out: UnsafeMutablePointer<Float>
  ) {
    for k in 0..<c {
      let off = k &* s
      for j in 0..<s {
        let v = coef[j] * FastMath.exp(x[off &+ j] - lse[j])
        out[off &+ j] = coef[j] == 0 ? 0 : v
      }
    }
  }
}
