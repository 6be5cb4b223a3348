/// 2-D convolution (cross-correlation, as in every deep-learning framework), differentiable.
extension Tensor {
  /// 2-D convolution of an `[N, C, H, W]` input with a `[O, C, kH, kW]` weight (PyTorch's
  /// `torch.nn.functional.conv2d` with `groups = 1`).
  ///
  /// `y[n, o, oh, ow] = bias[o] + Σ_{c,i,j} weight[o, c, i, j] · x[n, c, oh·sH − pH + i·dH, ow·sW − pW + j·dW]`,
  /// with zeros outside the input. The output has shape `[N, O, OH, OW]` with
  /// `OH = ⌊(H + 2·pH − dH·(kH − 1) − 1) / sH⌋ + 1` (likewise `OW`).
  ///
  /// Computed by ``ConvKernels``: 3×3 stride-1 kernels with at least 16 input and output channels
  /// use Winograd's F(2×2, 3×3) for all three passes; other kernels use im2col followed by one sgemm
  /// per image (a 1×1, stride-1, unpadded kernel is a GEMM on the input itself), with the weight
  /// gradient from sgemm and the input gradient from sgemm + col2im. The input gradient is skipped
  /// when the input needs no gradient (a network's first layer). Results agree with PyTorch to
  /// Float rounding (about 1e-6 relative), not bit for bit.
  ///
  /// - Parameters:
  ///   - weight: `[O, C, kH, kW]`.
  ///   - bias: `[O]`, or nil.
  ///   - stride: step between output positions (height, width).
  ///   - padding: implicit zero padding on both sides.
  ///   - dilation: spacing between kernel taps.
  public func conv2d(
    weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Size2D = 0,
    dilation: Size2D = 1
  ) -> Tensor {
    precondition(rank == 4, "conv2d: input must be [N, C, H, W], got shape \(shape)")
    precondition(
      weight.rank == 4, "conv2d: weight must be [O, C, kH, kW], got shape \(weight.shape)")
    precondition(
      weight.shape[1] == shape[1],
      "conv2d: weight expects \(weight.shape[1]) input channels but the input has \(shape[1]) (shapes \(shape) and \(weight.shape))"
    )
    if let bias {
      precondition(
        bias.shape == [weight.shape[0]],
        "conv2d: bias must have shape [\(weight.shape[0])], got \(bias.shape)")
    }
    let (N, O) = (shape[0], weight.shape[0])
    let g = WindowGeometry(
      input: Size2D(shape[2], shape[3]), kernel: Size2D(weight.shape[2], weight.shape[3]),
      stride: stride, padding: padding, dilation: dilation, op: "conv2d")
    let x = detached()
    let w = weight.detached()
    let b = bias?.detached()
    var out = Tensor.uninitialized([N, O, g.outputHeight, g.outputWidth])
    ConvKernels.forward(x, weight: w, bias: b, geometry: g, into: &out)
    let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
    return Tensor.record("conv2d", output: out, inputs: inputs) { gy, need in
      let grads = ConvKernels.backward(
        gy, input: x, weight: w, geometry: g,
        needInput: need[0], needWeight: need[1], needBias: need.count > 2 && need[2])
      return b == nil ? [grads.input, grads.weight] : [grads.input, grads.weight, grads.bias]
    }
  }
}
