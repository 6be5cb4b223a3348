import AuxEngine

/// The cost of one forward pass of a layer or network, computed from shapes alone.
public struct ForwardCost: Sendable, Equatable {
  /// Multiply–accumulate operations of convolutions and matrix products (biases, batch norm,
  /// activations, pooling and resizing are not counted). FLOPs are conventionally `2 · macs`.
  public var macs: Int
  /// The output's shape.
  public var outputShape: [Int]

  public init(macs: Int, outputShape: [Int]) {
    self.macs = macs
    self.outputShape = outputShape
  }
}

/// A module that can state, from the input shape alone, how many multiply–accumulates of
/// convolutions and matrix products one forward pass performs.
///
/// The count is analytic (`N · O · OH · OW · C · kH · kW` per convolution, `M · N · K` per matrix
/// product), the convention of PyTorch's `torch.utils.flop_counter.FlopCounterMode`, which reports
/// `2 ·` this for the forward pass. A training step's backward pass costs about twice the forward
/// (input and weight gradients), so a step is about `3 · 2 · macs` FLOPs; the benchmarks say so.
public protocol MACCounting {
  /// The cost of one forward pass over an input of shape `input`.
  func forwardCost(input: [Int]) -> ForwardCost
}

extension Conv2d: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    precondition(input.count == 4 && input[1] == inChannels, "Conv2d(\(inChannels)→\(outChannels)).forwardCost: input shape \(input) must be [N, \(inChannels), H, W]")
    let g = WindowGeometry(
      input: Size2D(input[2], input[3]), kernel: kernelSize, stride: stride, padding: padding, dilation: dilation,
      op: "Conv2d.forwardCost")
    let macs = input[0] * outChannels * g.outputPlane * inChannels * g.taps
    return ForwardCost(macs: macs, outputShape: [input[0], outChannels, g.outputHeight, g.outputWidth])
  }
}

extension Linear: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    precondition(input.last == inFeatures, "Linear(\(inFeatures)→\(outFeatures)).forwardCost: input shape \(input) must end in \(inFeatures)")
    let rows = input.dropLast().reduce(1, *)
    return ForwardCost(macs: rows * inFeatures * outFeatures, outputShape: Array(input.dropLast()) + [outFeatures])
  }
}

extension MaxPool2d: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    let g = WindowGeometry(
      input: Size2D(input[2], input[3]), kernel: kernelSize, stride: stride, padding: padding, dilation: dilation,
      ceilMode: ceilMode, op: "MaxPool2d.forwardCost")
    return ForwardCost(macs: 0, outputShape: [input[0], input[1], g.outputHeight, g.outputWidth])
  }
}

extension AvgPool2d: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    let g = WindowGeometry(
      input: Size2D(input[2], input[3]), kernel: kernelSize, stride: stride, padding: padding, dilation: 1,
      ceilMode: ceilMode, op: "AvgPool2d.forwardCost")
    return ForwardCost(macs: 0, outputShape: [input[0], input[1], g.outputHeight, g.outputWidth])
  }
}

extension AdaptiveAvgPool2d: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    ForwardCost(macs: 0, outputShape: [input[0], input[1], outputSize.height, outputSize.width])
  }
}

extension UpsampleBilinear2d: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    switch target {
    case .size(let s): return ForwardCost(macs: 0, outputShape: [input[0], input[1], s.height, s.width])
    case .scaleFactor(let h, let w):
      let oh = Int((Double(input[2]) * h).rounded(.down))
      let ow = Int((Double(input[3]) * w).rounded(.down))
      return ForwardCost(macs: 0, outputShape: [input[0], input[1], oh, ow])
    }
  }
}

/// Layers whose output has their input's shape and that perform no convolution or product.
protocol ShapePreservingCost: MACCounting {}
extension ShapePreservingCost {
  public func forwardCost(input: [Int]) -> ForwardCost { ForwardCost(macs: 0, outputShape: input) }
}
extension BatchNorm2d: MACCounting, ShapePreservingCost {}
extension ReLU: MACCounting, ShapePreservingCost {}
extension Sigmoid: MACCounting, ShapePreservingCost {}
extension Tanh: MACCounting, ShapePreservingCost {}
extension Dropout: MACCounting, ShapePreservingCost {}

extension Sequential: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    var shape = input
    var macs = 0
    for (i, l) in layers.enumerated() {
      guard let c = l as? any MACCounting else {
        preconditionFailure("Sequential.forwardCost: layer \(i) (\(type(of: l))) does not count its cost (MACCounting)")
      }
      let r = c.forwardCost(input: shape)
      macs += r.macs
      shape = r.outputShape
    }
    return ForwardCost(macs: macs, outputShape: shape)
  }
}

/// The cost of `module` (which must conform to ``MACCounting``) over `input`.
func cost(of module: Any, input: [Int]) -> ForwardCost {
  guard let c = module as? any MACCounting else {
    preconditionFailure("forwardCost: \(type(of: module)) does not count its cost (MACCounting)")
  }
  return c.forwardCost(input: input)
}

extension BasicBlock: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    let a = conv1.forwardCost(input: input)
    let b = conv2.forwardCost(input: a.outputShape)
    let d = downsample?.forwardCost(input: input).macs ?? 0
    return ForwardCost(macs: a.macs + b.macs + d, outputShape: b.outputShape)
  }
}

extension Bottleneck: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    let a = conv1.forwardCost(input: input)
    let b = conv2.forwardCost(input: a.outputShape)
    let c = conv3.forwardCost(input: b.outputShape)
    let d = downsample?.forwardCost(input: input).macs ?? 0
    return ForwardCost(macs: a.macs + b.macs + c.macs + d, outputShape: c.outputShape)
  }
}

extension ResNet: MACCounting {
  /// The cost of ``features(_:task:)``, plus the classifier's when the network has one.
  public func forwardCost(input: [Int]) -> ForwardCost {
    var r = conv1.forwardCost(input: input)
    r.outputShape = maxpool.forwardCost(input: r.outputShape).outputShape
    for s in stages {
      let c = s.forwardCost(input: r.outputShape)
      r.macs += c.macs
      r.outputShape = c.outputShape
    }
    if let fc {
      let c = fc.forwardCost(input: [r.outputShape[0], featureChannels])
      r.macs += c.macs
      r.outputShape = c.outputShape
    }
    return r
  }
}

extension ReferenceCNN: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    var r = ForwardCost(macs: 0, outputShape: input)
    for b in blocks {
      let c = b.forwardCost(input: r.outputShape)
      r = ForwardCost(macs: r.macs + c.macs, outputShape: c.outputShape)
    }
    return r
  }
}

extension VGG16BN: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost { features.forwardCost(input: input) }
}

extension TaskConditionalVGG16: MACCounting {
  /// The cost of one task's forward pass (every task costs the same).
  public func forwardCost(input: [Int]) -> ForwardCost {
    var r = ForwardCost(macs: 0, outputShape: input)
    for e in entries {
      let c: ForwardCost
      switch e {
      case .conv(let conv, _, _): c = conv.forwardCost(input: r.outputShape)
      case .pool(let p): c = p.forwardCost(input: r.outputShape)
      }
      r = ForwardCost(macs: r.macs + c.macs, outputShape: c.outputShape)
    }
    return r
  }
}

extension ASPPPooling: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    let c = conv.forwardCost(input: [input[0], input[1], 1, 1])
    return ForwardCost(macs: c.macs, outputShape: [input[0], c.outputShape[1], input[2], input[3]])
  }
}

extension ASPP: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost {
    let macs = branches.reduce(0) { $0 + cost(of: $1, input: input).macs }
    let p = project.forwardCost(input: [input[0], branches.count * outChannels, input[2], input[3]])
    return ForwardCost(macs: macs + p.macs, outputShape: p.outputShape)
  }
}

extension DeepLabHead: MACCounting {
  /// The cost before resizing to the input size (resizing performs no multiply–accumulates).
  public func forwardCost(input: [Int]) -> ForwardCost {
    let a = aspp.forwardCost(input: input)
    let b = conv.forwardCost(input: a.outputShape)
    let c = classifier.forwardCost(input: b.outputShape)
    return ForwardCost(macs: a.macs + b.macs + c.macs, outputShape: c.outputShape)
  }
}

extension ConvHead: MACCounting {
  /// The cost before resizing to the input size.
  public func forwardCost(input: [Int]) -> ForwardCost {
    let a = body.forwardCost(input: input)
    let b = out.forwardCost(input: a.outputShape)
    return ForwardCost(macs: a.macs + b.macs, outputShape: b.outputShape)
  }
}

extension ClassificationHead: MACCounting {
  public func forwardCost(input: [Int]) -> ForwardCost { fc.forwardCost(input: [input[0], inChannels]) }
}

extension MultiTaskModel: MACCounting {
  /// The encoder's cost plus every head's (once per task for a task-conditional encoder, which runs
  /// once per task batch of shape `input`); the output shape is the features'.
  public func forwardCost(input: [Int]) -> ForwardCost {
    let e = cost(of: encoder, input: input)
    let encoderPasses = encoder.conditionalTaskCount ?? 1
    let heads = self.heads.reduce(0) { $0 + cost(of: $1, input: e.outputShape).macs }
    return ForwardCost(macs: e.macs * encoderPasses + heads, outputShape: e.outputShape)
  }
}
