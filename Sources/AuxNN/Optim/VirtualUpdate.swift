import AuxEngine

/// One parameter's next optimiser update, computed without applying it (``Optimizer/virtualUpdate(of:inGroup:gradient:)``).
///
/// Every supported update rule is element-wise in the gradient, so its Jacobian with respect to
/// the gradient is diagonal: ``gradientDerivative`` holds that diagonal. Look-ahead methods need
/// it for the chain rule through the virtual step: for SGD it is the constant `−lr` (times the
/// momentum factor of the current step), for Adam it depends on the moments.
public struct VirtualUpdate {
  /// θ′, the value the next step would give the parameter.
  public var value: Tensor
  /// `∂θ′_k/∂g_k` for every element k, with the parameter's value and the optimiser's state held
  /// fixed (the gradient is the one passed in, before weight decay is added).
  public var gradientDerivative: Tensor

  public init(value: Tensor, gradientDerivative: Tensor) {
    self.value = value
    self.gradientDerivative = gradientDerivative
  }
}

/// The optimiser cannot compute a virtual step (it does not implement
/// ``Optimizer/virtualUpdate(of:inGroup:gradient:)``).
public struct VirtualStepUnsupportedError: Error, CustomStringConvertible {
  /// The optimiser's type name.
  public let optimizer: String
  public init(optimizer: String) { self.optimizer = optimizer }
  public var description: String {
    "the optimiser \(optimizer) has no virtual step (virtualUpdate(of:inGroup:gradient:)); look-ahead methods need one: use SGD, Adam or AdamW, or implement it"
  }
}

extension Optimizer {
  /// The default: no virtual step.
  ///
  /// - Throws: ``VirtualStepUnsupportedError`` naming the optimiser's type.
  public func virtualUpdate(of parameter: Parameter, inGroup group: Int, gradient: Tensor) throws -> VirtualUpdate {
    throw VirtualStepUnsupportedError(optimizer: String(describing: type(of: self)))
  }
}
