import AuxEngine

/// Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, exactly as
/// `torch.optim.SGD` (PyTorch 2.13, single-tensor path):
///
///     g ← ∇ + λ·θ
///     b ← g                      (first step with a gradient)
///     b ← μ·b + (1 − τ)·g        (later steps)
///     g ← g + μ·b  (Nesterov)  or  g ← b
///     θ ← θ − lr·g
///
/// λ and lr come from each ``ParameterGroup``; μ (momentum), τ (dampening) and Nesterov are shared.
/// State (``stateDict()``): `"<param name>.momentum_buffer"` for every parameter stepped with
/// momentum.
public final class SGD: Optimizer {
  public var groups: [ParameterGroup]
  /// μ, the momentum factor (0: plain SGD, no state).
  public let momentum: Float
  /// τ, the dampening of the gradient added to the momentum buffer.
  public let dampening: Float
  /// Whether the Nesterov form is used.
  public let nesterov: Bool
  private var buffers: [ObjectIdentifier: Tensor] = [:]

  /// Creates an SGD optimiser over `groups`; defaults as PyTorch's (no momentum).
  public init(_ groups: [ParameterGroup], momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false) {
    precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires momentum > 0 and zero dampening")
    precondition(momentum >= 0, "SGD: momentum must be ≥ 0, got \(momentum)")
    for g in groups {
      precondition(g.learningRate >= 0, "SGD: group '\(g.name)' has a negative learning rate \(g.learningRate)")
      precondition(g.weightDecay >= 0, "SGD: group '\(g.name)' has a negative weight decay \(g.weightDecay)")
    }
    ParameterGroup.checkDistinct(groups, op: "SGD")
    self.groups = groups
    self.momentum = momentum
    self.dampening = dampening
    self.nesterov = nesterov
  }

  public func step() {
    let mu = momentum
    let oneMinusDamp = 1 - dampening
    let nest = nesterov
    for group in groups {
      let lr = group.learningRate
      let wd = group.weightDecay
      for (_, p) in group.parameters {
        guard let grad = p.grad else { continue }
        precondition(grad.shape == p.shape, "SGD.step: gradient shape \(grad.shape) does not match parameter shape \(p.shape)")
        if mu == 0 {
          p.update { theta in
            grad.withUnsafeBufferPointer { gp in
              let t = theta.baseAddress!
              let g = gp.baseAddress!
              for i in 0..<theta.count { t[i] -= lr * (g[i] + wd * t[i]) }
            }
          }
          continue
        }
        let key = ObjectIdentifier(p)
        // Taken out of the dictionary so that the buffer is uniquely referenced and updated in place.
        var buf = buffers.removeValue(forKey: key)
        let first = buf == nil
        var b = buf ?? Tensor.uninitialized(p.shape)
        buf = nil
        p.update { theta in
          grad.withUnsafeBufferPointer { gp in
            b.withUnsafeMutableBufferPointer { bp in
              let t = theta.baseAddress!
              let g = gp.baseAddress!
              let bb = bp.baseAddress!
              for i in 0..<theta.count {
                let gi = g[i] + wd * t[i]
                let bi = first ? gi : bb[i] * mu + oneMinusDamp * gi
                bb[i] = bi
                t[i] -= lr * (nest ? gi + mu * bi : bi)
              }
            }
          }
        }
        buffers[key] = b
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

  /// Restores state saved by ``stateDict()`` (matched by parameter name).
  ///
  /// - Throws: ``OptimizerStateError`` naming every mis-shaped entry and every entry that names no
  ///   parameter of this optimiser; the optimiser is unchanged in that case.
  public func loadStateDict(_ state: [String: Tensor]) throws {
    var restored: [ObjectIdentifier: Tensor] = [:]
    var problems: [String] = []
    var used = Set<String>()
    for (_, name, p) in allParameters {
      let key = "\(name).momentum_buffer"
      guard let b = state[key] else { continue }
      used.insert(key)
      if b.shape != p.shape {
        problems.append("\(key) has shape \(b.shape), parameter has \(p.shape)")
      }
      restored[ObjectIdentifier(p)] = b.detached()
    }
    let unexpected = state.keys.filter { !used.contains($0) }.sorted()
    if !unexpected.isEmpty { problems.append("unexpected entries: \(unexpected.joined(separator: ", "))") }
    guard problems.isEmpty else {
      throw OptimizerStateError("SGD state does not match the optimiser:\n  " + problems.joined(separator: "\n  "))
    }
    buffers = restored
  }
}
