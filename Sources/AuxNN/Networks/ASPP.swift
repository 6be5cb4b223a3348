import AuxEngine

/// Atrous spatial pyramid pooling (DeepLab-v3; torchvision's `ASPP`).
///
/// Branches, registered as `convs.0` …: a 1×1 convolution, one 3×3 convolution per atrous rate
/// (padding and dilation equal to the rate), each without bias and followed by batch norm and
/// ReLU, and the image-pooling branch ``ASPPPooling``. Their outputs are concatenated along the
/// channels and projected by `project` (`0`: 1×1 convolution without bias, `1`: batch norm, `2`:
/// ReLU, `3`: dropout, present when the dropout probability is positive).
public final class ASPP: Module, Layer {
  /// The branches, in order: 1×1, one per rate, pooling.
  public let branches: [any Layer]
  public let project: Sequential
  public let inChannels: Int
  public let outChannels: Int
  public let rates: [Int]

  /// - Parameters:
  ///   - rates: the atrous rates of the 3×3 branches (torchvision's DeepLab head: 12, 24, 36).
  ///   - outChannels: channels of every branch and of the projection (256 in torchvision).
  ///   - dropout: the projection's dropout probability (0.5 in torchvision; 0 leaves the dropout
  ///     layer out, as Auto-Lambda's heads do).
  public init(
    _ inChannels: Int, rates: [Int] = [12, 24, 36], outChannels: Int = 256, dropout: Float = 0.5, rng: inout RandomGenerator
  ) {
    precondition(rates.allSatisfy { $0 > 0 }, "ASPP: atrous rates must be positive, got \(rates)")
    self.inChannels = inChannels
    self.outChannels = outChannels
    self.rates = rates
    var branches: [any Layer] = [
      Sequential(Conv2d(inChannels, outChannels, kernelSize: 1, bias: false, rng: &rng), BatchNorm2d(outChannels), ReLU())
    ]
    for r in rates {
      branches.append(
        Sequential(
          Conv2d(inChannels, outChannels, kernelSize: 3, padding: Size2D(r), dilation: Size2D(r), bias: false, rng: &rng),
          BatchNorm2d(outChannels), ReLU()))
    }
    branches.append(ASPPPooling(inChannels, outChannels, rng: &rng))
    self.branches = branches
    var projection: [any Layer] = [
      Conv2d(branches.count * outChannels, outChannels, kernelSize: 1, bias: false, rng: &rng), BatchNorm2d(outChannels), ReLU(),
    ]
    if dropout > 0 { projection.append(Dropout(dropout, rng: &rng)) }
    project = Sequential(projection)
    super.init()
    let convs = Module()
    for (i, b) in branches.enumerated() { convs.registerModule(String(i), b) }
    registerModule("convs", convs)
    registerModule("project", project)
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(
      x.rank == 4 && x.shape[1] == inChannels, "ASPP(\(inChannels)→\(outChannels)): input of shape \(x.shape) must be [N, \(inChannels), h, w]")
    return project(Tensor.concat(branches.map { $0(x) }, axis: 1))
  }
}
