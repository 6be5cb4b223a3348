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
    for group in groups {
      for (_, p) in group.parameters {
        guard let grad = p.grad else { continue }
        precondition(grad.shape == p.shape, "SGD.step: gradient shape \(grad.shape) does not match parameter shape \(p.shape)")
        if momentum == 0 {
          p.update { theta in
            grad.withUnsafeBufferPointer { gp in
              update(theta.baseAddress!, gp.baseAddress!, buffer: nil, first: true, count: theta.count, group: group)
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
              update(theta.baseAddress!, gp.baseAddress!, buffer: bp.baseAddress!, first: first, count: theta.count, group: group)
            }
          }
        }
        buffers[key] = b
      }
    }
  }

  /// The value the next ``step()`` gives `parameter` for `gradient`, and its derivative with
  /// respect to the gradient, computed on copies (the parameter and the momentum buffer are left
  /// as they are).
  ///
  /// The derivative is the constant `−lr` without momentum, and with momentum μ and dampening τ
  /// `−lr` on the first step (the buffer starts as the gradient) and `−lr·(1 − τ)` after it;
  /// Nesterov adds `−lr·μ` times the buffer's derivative.
  public func virtualUpdate(of parameter: Parameter, inGroup group: Int, gradient: Tensor) throws -> VirtualUpdate {
    precondition(groups.indices.contains(group), "SGD.virtualUpdate: group index \(group) out of range (\(groups.count) groups)")
    let g = groups[group]
    precondition(g.parameters.contains { $0.parameter === parameter }, "SGD.virtualUpdate: the parameter (shape \(parameter.shape)) is not in group '\(g.name)'")
    precondition(gradient.shape == parameter.shape, "SGD.virtualUpdate: gradient shape \(gradient.shape) does not match parameter shape \(parameter.shape)")
    var value = parameter.value.detached()
    // Copy-on-write: writing to these copies leaves the parameter and the optimiser's buffer as
    // they are.
    let stored = buffers[ObjectIdentifier(parameter)]
    let first = stored == nil
    var b = stored ?? Tensor.uninitialized(parameter.shape)
    value.withUnsafeMutableBufferPointer { theta in
      gradient.withUnsafeBufferPointer { gp in
        b.withUnsafeMutableBufferPointer { bp in
          update(
            theta.baseAddress!, gp.baseAddress!, buffer: momentum == 0 ? nil : bp.baseAddress!, first: first,
            count: theta.count, group: g)
        }
      }
    }
    let lr = g.learningRate
    let bufferDerivative: Float = momentum == 0 || first ? 1 : 1 - dampening
    let derivative: Float
    if momentum == 0 {
      derivative = -lr
    } else if nesterov {
      derivative = -lr * (1 + momentum * bufferDerivative)
    } else {
      derivative = -lr * bufferDerivative
    }
    return VirtualUpdate(value: value, gradientDerivative: Tensor(shape: parameter.shape, repeating: derivative))
  }

  /// The update of `n` elements of θ (and of the momentum buffer, when there is momentum) for the
  /// gradient `g`, with `group`'s learning rate and weight decay; ``step()`` and
  /// ``virtualUpdate(of:inGroup:gradient:)`` share it so that their results agree bit for bit.
  @inline(__always)
  private func update(
    _ t: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, buffer bb: UnsafeMutablePointer<Float>?, first: Bool,
    count n: Int, group: ParameterGroup
  ) {
    let lr = group.learningRate
    let wd = group.weightDecay
    guard let bb else {
      for i in 0..<n { t[i] -= lr * (g[i] + wd * t[i]) }
      return
    }
    let mu = momentum
    let oneMinusDamp = 1 - dampening
    let nest = nesterov
    for i in 0..<n {
      let gi = g[i] + wd * t[i]
      let bi = first ? gi : bb[i] * mu + oneMinusDamp * gi
      bb[i] = bi
      t[i] -= lr * (nest ? gi + mu * bi : bi)
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
