import AuxEngine

/// Layers applied one after another, registered under the names `0`, `1`, … as in PyTorch's
/// `nn.Sequential`.
public final class Sequential: Module, Layer {
  /// The layers, in order.
  public let layers: [any Layer]

  public init(_ layers: [any Layer]) {
    self.layers = layers
    super.init()
    for (i, l) in layers.enumerated() { registerModule(String(i), l) }
  }

  public convenience init(_ layers: any Layer...) { self.init(layers) }

  public func callAsFunction(_ input: Tensor) -> Tensor {
    var x = input
    for l in layers { x = l(x) }
    return x
  }
}
