import AuxEngine

/// A trainable tensor owned by a module: a graph leaf whose gradient accumulates across backward
/// passes until ``zeroGrad()``.
///
/// `Parameter` is a reference type so that a module, its optimiser and a weighting method can all
/// refer to the same weights. Optimisers update ``value`` in place; the leaf identity (and so the
/// gradient slot) survives updates.
public final class Parameter {
  /// The current weights, as a leaf that requires a gradient.
  public private(set) var value: Tensor
  /// Whether the parameter is trained (frozen parameters take no gradient and no update).
  public var requiresGrad: Bool {
    didSet { if requiresGrad != oldValue { value = requiresGrad ? value.detached().requiringGrad() : value.detached() } }
  }

  /// A parameter holding `value` (copied into a new leaf).
  public init(_ value: Tensor, requiresGrad: Bool = true) {
    self.value = requiresGrad ? value.detached().requiringGrad() : value.detached()
    self.requiresGrad = requiresGrad
  }

  /// The parameter's shape.
  public var shape: [Int] { value.shape }

  /// The accumulated gradient, nil before the first backward pass after ``zeroGrad()``.
  public var grad: Tensor? {
    get { requiresGrad ? value.grad : nil }
    set {
      precondition(requiresGrad, "Parameter.grad: cannot set the gradient of a frozen parameter (shape \(shape))")
      value.grad = newValue
    }
  }

  /// Clears the gradient.
  public func zeroGrad() {
    if requiresGrad { value.grad = nil }
  }

  /// Replaces the weights with `newValue` (same shape), keeping the gradient slot and leaf identity.
  public func assign(_ newValue: Tensor) {
    precondition(newValue.shape == value.shape, "Parameter.assign: shape \(newValue.shape) does not match parameter shape \(value.shape)")
    let src = newValue.detached()
    update { dst in
      src.withUnsafeBufferPointer { s in
        _ = dst.update(fromContentsOf: s)
      }
    }
  }

  /// Mutates the weights in place (for optimisers and initialisers). Records nothing for autodiff.
  public func update(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
    value.withUnsafeMutableBufferPointer(body)
  }
}

/// A non-trainable tensor owned by a module and saved with its state (e.g. batch-norm running
/// statistics).
public final class Buffer {
  /// The stored values.
  public var value: Tensor
  /// The dtype the buffer has in PyTorch state dicts (e.g. `I64` for `num_batches_tracked`).
  public let storedAsInteger: Bool

  public init(_ value: Tensor, storedAsInteger: Bool = false) {
    self.value = value.detached()
    self.storedAsInteger = storedAsInteger
  }
}
