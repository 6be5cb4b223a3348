import AuxEngine

/// `max(x, 0)` as a layer.
public final class ReLU: Module, Layer {
  public override init() { super.init() }
  public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
}

/// The logistic sigmoid as a layer.
public final class Sigmoid: Module, Layer {
  public override init() { super.init() }
  public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// The hyperbolic tangent as a layer.
public final class Tanh: Module, Layer {
  public override init() { super.init() }
  public func callAsFunction(_ x: Tensor) -> Tensor { x.tanh() }
}
