import AuxEngine

/// Max pooling over `[N, C, H, W]` inputs (PyTorch's `nn.MaxPool2d`); see ``AuxEngine/Tensor/maxPool2d(kernelSize:stride:padding:dilation:ceilMode:)``.
public final class MaxPool2d: Module, Layer {
  public let kernelSize: Size2D
  public let stride: Size2D
  public let padding: Size2D
  public let dilation: Size2D
  public let ceilMode: Bool

  /// A nil stride means `kernelSize`, as in PyTorch.
  public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1, ceilMode: Bool = false) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    self.dilation = dilation
    self.ceilMode = ceilMode
    super.init()
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    x.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
  }
}

/// Average pooling over `[N, C, H, W]` inputs (PyTorch's `nn.AvgPool2d`, `count_include_pad=True`
/// by default); see ``AuxEngine/Tensor/avgPool2d(kernelSize:stride:padding:ceilMode:countIncludePad:divisorOverride:)``.
public final class AvgPool2d: Module, Layer {
  public let kernelSize: Size2D
  public let stride: Size2D
  public let padding: Size2D
  public let ceilMode: Bool
  public let countIncludePad: Bool
  public let divisorOverride: Int?

  /// A nil stride means `kernelSize`, as in PyTorch.
  public init(
    kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, ceilMode: Bool = false,
    countIncludePad: Bool = true, divisorOverride: Int? = nil
  ) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    self.ceilMode = ceilMode
    self.countIncludePad = countIncludePad
    self.divisorOverride = divisorOverride
    super.init()
  }

  public func callAsFunction(_ x: Tensor) -> Tensor {
    x.avgPool2d(
      kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
      countIncludePad: countIncludePad, divisorOverride: divisorOverride)
  }
}

/// Adaptive average pooling to a fixed spatial size (PyTorch's `nn.AdaptiveAvgPool2d`); an output
/// size of 1 is global average pooling.
public final class AdaptiveAvgPool2d: Module, Layer {
  public let outputSize: Size2D

  public init(outputSize: Size2D) {
    self.outputSize = outputSize
    super.init()
  }

  public func callAsFunction(_ x: Tensor) -> Tensor { x.adaptiveAvgPool2d(outputSize: outputSize) }
}
