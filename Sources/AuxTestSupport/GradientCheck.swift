import AuxEngine

/// Finite-difference checks of the tape's gradients.
///
/// The function under test maps input tensors to an output tensor `y`; the check differentiates the
/// scalar `L = Σ y ⊙ R` for a fixed random `R` (so every output element matters), compares the
/// tape's `dL/dx` with central differences `(L(x+ε) − L(x−ε)) / 2ε` computed in Double, and reports
/// the worst mismatch. Large inputs are probed at a random subset of coordinates.
public enum GradientCheck {
  /// The outcome of a gradient check.
  public struct Result: CustomStringConvertible {
    /// Largest `|analytic − numeric| / (atol + rtol·|numeric|)`; ≤ 1 passes.
    public var worstRatio: Double = 0
    /// Where the worst mismatch was, with both values.
    public var worst: String = "no coordinates checked"
    /// Number of coordinates probed.
    public var probes = 0
    /// Whether every probed coordinate agreed within tolerance.
    public var passed: Bool { worstRatio <= 1 && probes > 0 }
    public var description: String { "gradient check: \(probes) probes, worst ratio \(worstRatio) at \(worst)" }
  }

  /// Checks the gradients of `f` with respect to every input.
  ///
  /// - Parameters:
  ///   - inputs: the point at which to check (values are copied).
  ///   - wrt: indices of inputs to check (default: all).
  ///   - epsilon: finite-difference step.
  ///   - rtol, atol: relative and absolute tolerance on each coordinate.
  ///   - maxProbes: coordinates probed per input at most.
  ///   - seed: seed for the output weights and the probe choice.
  public static func check(
    _ inputs: [Tensor], wrt: [Int]? = nil, epsilon: Float = 1e-3, rtol: Double = 1e-2, atol: Double = 1e-3,
    maxProbes: Int = 48, seed: UInt64 = 7, _ f: ([Tensor]) -> Tensor
  ) -> Result {
    var rng = RandomGenerator(seed: seed)
    let which = wrt ?? Array(inputs.indices)
    let leaves = inputs.enumerated().map { which.contains($0.offset) ? $0.element.detached().requiringGrad() : $0.element.detached() }
    let y0 = f(leaves)
    let weights = Tensor(shape: y0.shape, scalars: (0..<y0.count).map { _ in rng.nextUniform() * 2 - 1 })
    let loss = (y0 * weights).sum()
    let grads = Autograd.gradients(of: [loss], wrt: which.map { leaves[$0] })

    func scalarLoss(_ xs: [Tensor]) -> Double {
      Autograd.withoutGradients {
        let y = f(xs)
        precondition(y.shape == weights.shape, "GradientCheck: output shape changed from \(weights.shape) to \(y.shape)")
        var total = 0.0
        y.withUnsafeBufferPointer { yp in
          weights.withUnsafeBufferPointer { wp in
            for i in 0..<yp.count { total += Double(yp[i]) * Double(wp[i]) }
          }
        }
        return total
      }
    }

    var result = Result()
    for (k, idx) in which.enumerated() {
      let x = inputs[idx]
      let analytic = grads[k] ?? Tensor.zeros(x.shape)
      var coords = Array(0..<x.count)
      if coords.count > maxProbes {
        rng.shuffle(&coords)
        coords = Array(coords.prefix(maxProbes))
      }
      for c in coords {
        var plus = inputs.map { $0.detached() }
        var minus = plus
        plus[idx].withUnsafeMutableBufferPointer { $0[c] += epsilon }
        minus[idx].withUnsafeMutableBufferPointer { $0[c] -= epsilon }
        let hPlus = Double(plus[idx].scalars[c] - inputs[idx].scalars[c])
        let hMinus = Double(inputs[idx].scalars[c] - minus[idx].scalars[c])
        let numeric = (scalarLoss(plus) - scalarLoss(minus)) / (hPlus + hMinus)
        let a = Double(analytic.scalars[c])
        let ratio = Swift.abs(a - numeric) / (atol + rtol * Swift.abs(numeric))
        result.probes += 1
        if ratio > result.worstRatio || result.probes == 1 {
          result.worstRatio = max(result.worstRatio, ratio)
          if ratio >= result.worstRatio {
            result.worst = "input \(idx) (shape \(x.shape)) element \(c): analytic \(a), numeric \(numeric)"
          }
        }
      }
    }
    return result
  }
}
