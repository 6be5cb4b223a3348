import AuxEngine

/// A fully connected layer `y = x · Wᵀ + b` over the last dimension (PyTorch's `nn.Linear`).
///
/// `weight` has shape `[out, in]`; initialisation follows PyTorch's defaults (Kaiming uniform with
/// a = √5 for the weight, U(±1/√in) for the bias).
public final class Linear: Module, Layer {
  public let weight: Parameter
  public let bias: Parameter?
  public let inFeatures: Int
  public let outFeatures: Int

  public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RandomGenerator) {
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    weight = Parameter(Initializers.kaimingUniform([outFeatures, inFeatures], nonlinearity: .leakyReLU(negativeSlope: Float(5).squareRoot()), using: &rng))
    self.bias = bias ? Parameter(Initializers.defaultBias(outFeatures, fanIn: inFeatures, using: &rng)) : nil
    super.init()
    registerParameter("weight", weight)
    if let b = self.bias { registerParameter("bias", b) }
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(x.rank >= 1 && x.shape.last == inFeatures, "Linear(\(inFeatures)→\(outFeatures)): input of shape \(x.shape) must end in \(inFeatures) features")
    let flat = x.reshaped([-1, inFeatures])
    var y = flat.matmul(weight.value.transposed())
    if let b = bias { y = y + b.value }
    return y.reshaped(Array(x.shape.dropLast()) + [outFeatures])
  }
}
