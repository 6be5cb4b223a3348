import AuxEngine

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Adam on a small vector of method state (FAMO's logits, Auto-Lambda's task weights), with
/// `torch.optim.Adam`'s update in `Float` (L2 `weight_decay` added to the gradient, bias-corrected
/// moments, `eps` added after the square root):
///
///     g ← g + wd·x;  m ← m + (1 − β₁)(g − m);  v ← β₂·v + (1 − β₂)·g²
///     x ← x − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
///
/// These methods update their weights with their own optimiser, never the network's, so the state
/// lives here and is saved with the method.
public struct VectorAdam: Equatable, Sendable {
  public var learningRate: Float
  public let beta1: Float
  public let beta2: Float
  public let eps: Float
  public let weightDecay: Float
  /// First and second moments.
  public private(set) var m: [Float]
  public private(set) var v: [Float]
  /// Number of steps taken.
  public private(set) var steps: Int = 0

  public init(count: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.eps = eps
    self.weightDecay = weightDecay
    m = [Float](repeating: 0, count: count)
    v = [Float](repeating: 0, count: count)
  }

  /// One Adam step on `x` with gradient `grad`.
  public mutating func step(_ x: inout [Float], gradient grad: [Float]) {
    precondition(x.count == m.count && grad.count == m.count, "VectorAdam.step: \(x.count) values and \(grad.count) gradients for a state of \(m.count)")
    steps += 1
    let t = Double(steps)
    let bc1 = 1 - pow(Double(beta1), t)
    let bc2 = 1 - pow(Double(beta2), t)
    let stepSize = Float(Double(learningRate) / bc1)
    let bc2Sqrt = Float(bc2.squareRoot())
    for i in x.indices {
      let g = weightDecay != 0 ? grad[i] + weightDecay * x[i] : grad[i]
      m[i] += (1 - beta1) * (g - m[i])
      v[i] = beta2 * v[i] + (1 - beta2) * g * g
      let denom = v[i].squareRoot() / bc2Sqrt + eps
      x[i] -= stepSize * (m[i] / denom)
    }
  }

  /// The moments and step count under `prefix` (`<prefix>.exp_avg`, `.exp_avg_sq`, `.step`).
  public func stateDict(prefix: String) -> [String: Tensor] {
    [
      "\(prefix).exp_avg": Tensor(m), "\(prefix).exp_avg_sq": Tensor(v),
      "\(prefix).step": ExactStateCoding.encode(count: steps),
    ]
  }

  /// Restores ``stateDict(prefix:)``.
  public mutating func loadStateDict(_ state: [String: Tensor], prefix: String) throws {
    let a = try state.required("\(prefix).exp_avg", count: m.count)
    let b = try state.required("\(prefix).exp_avg_sq", count: v.count)
    let s = try ExactStateCoding.decodeCount(try state.required("\(prefix).step"), key: "\(prefix).step")
    m = a.scalars
    v = b.scalars
    steps = s
  }
}
