import AuxEngine

/// Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, exactly as
/// `torch.optim.SGD`:
///
///     g ← ∇ + λ·θ
///     b ← g                      (first step)
///     b ← μ·b + (1 − τ)·g        (later steps)
///     g ← g + μ·b  (Nesterov)  or  g ← b
///     θ ← θ − lr·g
public final class SGD: Optimizer {
  public var groups: [ParameterGroup]
  public let momentum: Float
  public let dampening: Float
  public let nesterov: Bool
  private var buffers: [ObjectIdentifier: Tensor] = [:]

  public init(_ groups: [ParameterGroup], momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false) {
    precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires momentum > 0 and zero dampening")
    precondition(momentum >= 0, "SGD: momentum must be ≥ 0, got \(momentum)")
    self.groups = groups
    self.momentum = momentum
    self.dampening = dampening
    self.nesterov = nesterov
  }

  public func step() {
    for group in groups {
      let lr = group.learningRate
      let wd = group.weightDecay
      for (_, p) in group.parameters {
        guard let grad = p.grad else { continue }
        let key = ObjectIdentifier(p)
        var buf = buffers.removeValue(forKey: key)
        let first = buf == nil
        if momentum != 0 && first { buf = Tensor.zeros(p.shape) }
        let mu = momentum
        let damp = dampening
        let nest = nesterov
        p.update { theta in
          grad.withUnsafeBufferPointer { gp in
            if mu == 0 {
              for i in 0..<theta.count {
                let g = gp[i] + wd * theta[i]
                theta[i] -= lr * g
              }
            } else {
              buf!.withUnsafeMutableBufferPointer { bp in
                for i in 0..<theta.count {
                  let g = gp[i] + wd * theta[i]
                  bp[i] = first ? g : mu * bp[i] + (1 - damp) * g
                  let d = nest ? g + mu * bp[i] : bp[i]
                  theta[i] -= lr * d
                }
              }
            }
          }
        }
        if let buf { buffers[key] = buf }
      }
    }
  }

  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (_, name, p) in allParameters {
      if let b = buffers[ObjectIdentifier(p)] { out["\(name).momentum_buffer"] = b }
    }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    var restored: [ObjectIdentifier: Tensor] = [:]
    for (_, name, p) in allParameters {
      if let b = state["\(name).momentum_buffer"] {
        guard b.shape == p.shape else {
          throw OptimizerStateError("SGD state: \(name).momentum_buffer has shape \(b.shape), parameter has \(p.shape)")
        }
        restored[ObjectIdentifier(p)] = b
      }
    }
    buffers = restored
  }
}
