/// Adaptive average pooling, differentiable.
extension Tensor {
  /// Adaptive average pooling to a fixed output size (PyTorch's
  /// `torch.nn.functional.adaptive_avg_pool2d`).
  ///
  /// Output row `o` of `out` rows averages input rows `⌊o·in/out⌋ ..< ⌈(o+1)·in/out⌉` (likewise for
  /// columns), PyTorch's start/end formula; windows may overlap and differ in size when `in` is not
  /// a multiple of `out`. An output size of 1 is global average pooling.
  public func adaptiveAvgPool2d(outputSize: Size2D) -> Tensor {
    precondition(rank == 4, "adaptiveAvgPool2d: input must be [N, C, H, W], got shape \(shape)")
    precondition(
      outputSize.height > 0 && outputSize.width > 0,
      "adaptiveAvgPool2d: output size must be positive, got \(outputSize)")
    precondition(shape[2] > 0 && shape[3] > 0, "adaptiveAvgPool2d: input of shape \(shape) has an empty spatial dimension")
    let windows = AveragePoolWindows(
      adaptiveInput: Size2D(shape[2], shape[3]), output: outputSize)
    let planes = shape[0] * shape[1]
    var out = Tensor.uninitialized([shape[0], shape[1], outputSize.height, outputSize.width])
    withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { yp in
        let (x, y) = (xp.baseAddress!, yp.baseAddress!)
        Parallel.split(planes, work: xp.count + yp.count) { windows.forward(x, planes: $0, into: y) }
      }
    }
    let inShape = shape
    return Tensor.record("adaptive_avg_pool2d", output: out, inputs: [self]) { gy, _ in
      var gx = Tensor.zeros(inShape)
      gy.withUnsafeBufferPointer { gp in
        gx.withUnsafeMutableBufferPointer { dp in
          let (g, d) = (gp.baseAddress!, dp.baseAddress!)
          Parallel.split(planes, work: dp.count + gp.count) { windows.backward(g, planes: $0, into: d) }
        }
      }
      return [gx]
    }
  }
}
