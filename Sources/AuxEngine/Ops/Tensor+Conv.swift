/// 2-D convolution (cross-correlation, as in every deep-learning framework), differentiable.
extension Tensor {
  /// 2-D convolution of an `[N, C, H, W]` input with a `[O, C, kH, kW]` weight (PyTorch's
  /// `torch.nn.functional.conv2d` with `groups = 1`).
  ///
  /// `y[n, o, oh, ow] = bias[o] + Σ_{c,i,j} weight[o, c, i, j] · x[n, c, oh·sH − pH + i·dH, ow·sW − pW + j·dW]`,
  /// with zeros outside the input. The output has shape `[N, O, OH, OW]` with
  /// `OH = ⌊(H + 2·pH − dH·(kH − 1) − 1) / sH⌋ + 1` (likewise `OW`).
  ///
  /// Computed per image as im2col followed by one sgemm; a 1×1, stride-1, unpadded kernel is a
  /// GEMM on the input itself. The backward pass computes the weight gradient with sgemm
  /// (accumulating over images) and the input gradient with sgemm followed by col2im, skipping the
  /// latter when the input needs no gradient (a network's first layer).
  ///
  /// - Parameters:
  ///   - weight: `[O, C, kH, kW]`.
  ///   - bias: `[O]`, or nil.
  ///   - stride: step between output positions (height, width).
  ///   - padding: implicit zero padding on both sides.
  ///   - dilation: spacing between kernel taps.
  public func conv2d(
    weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Size2D = 0, dilation: Size2D = 1
  ) -> Tensor {
    precondition(rank == 4, "conv2d: input must be [N, C, H, W], got shape \(shape)")
    precondition(weight.rank == 4, "conv2d: weight must be [O, C, kH, kW], got shape \(weight.shape)")
    precondition(
      weight.shape[1] == shape[1],
      "conv2d: weight expects \(weight.shape[1]) input channels but the input has \(shape[1]) (shapes \(shape) and \(weight.shape))")
    if let bias {
      precondition(bias.shape == [weight.shape[0]], "conv2d: bias must have shape [\(weight.shape[0])], got \(bias.shape)")
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

/// The convolution's forward and backward passes on whole tensors (im2col + sgemm).
public enum ConvKernels {
  /// `out = conv2d(x, weight) + bias` for `x: [N, C, H, W]`, `weight: [O, C, kH, kW]`;
  /// `out` must have shape `[N, O, OH, OW]` and is overwritten.
  public static func forward(
    _ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: WindowGeometry, into out: inout Tensor
  ) {
    let (N, C, O) = (x.shape[0], x.shape[1], weight.shape[0])
    let K = C * g.taps
    let P = g.outputPlane
    let inPlane = C * g.inputPlane
    let pointwise = g.isPointwise
    var cols = pointwise ? Tensor.uninitialized([0]) : Tensor.uninitialized([K, P])
    x.withUnsafeBufferPointer { xp in
      weight.withUnsafeBufferPointer { wp in
        out.withUnsafeMutableBufferPointer { yp in
          cols.withUnsafeMutableBufferPointer { cp in
            let X = xp.baseAddress!
            let Wt = wp.baseAddress!
            let Y = yp.baseAddress!
            for n in 0..<N {
              let xn = X + n * inPlane
              let yn = Y + n * O * P
              let src: UnsafePointer<Float>
              if pointwise {
                src = xn
              } else {
                Im2Col.unfold(xn, channels: C, geometry: g, into: cp.baseAddress!)
                src = UnsafePointer(cp.baseAddress!)
              }
              var beta: Float = 0
              if let bias {
                bias.withUnsafeBufferPointer { bp in
                  for o in 0..<O { (yn + o * P).update(repeating: bp[o], count: P) }
                }
                beta = 1
              }
              BLAS.sgemm(
                transA: false, transB: false, m: O, n: P, k: K, alpha: 1, a: Wt, lda: K,
                b: src, ldb: P, beta: beta, c: yn, ldc: P)
            }
          }
        }
      }
    }
  }

  /// Gradients of a convolution with respect to its input, weight and bias, each computed only
  /// when asked for.
  public static func backward(
    _ gy: Tensor, input x: Tensor, weight: Tensor, geometry g: WindowGeometry,
    needInput: Bool, needWeight: Bool, needBias: Bool
  ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
    let (N, C, O) = (x.shape[0], x.shape[1], weight.shape[0])
    let K = C * g.taps
    let P = g.outputPlane
    let inPlane = C * g.inputPlane
    let pointwise = g.isPointwise
    var gb: Tensor? = nil
    if needBias {
      gb = gy.reshaped([N, O, P]).detached().sum(axes: [0, 2])
    }
    guard needInput || needWeight else { return (nil, nil, gb) }
    // 1×1 convs need no input scratch; the input gradient needs a col buffer unless pointwise.
    var cols = (needWeight && !pointwise) ? Tensor.uninitialized([K, P]) : Tensor.uninitialized([0])
    var dcols = (needInput && !pointwise) ? Tensor.uninitialized([K, P]) : Tensor.uninitialized([0])
    var dx = needInput ? (pointwise ? Tensor.uninitialized(x.shape) : Tensor.zeros(x.shape)) : Tensor.uninitialized([0])
    var dw = needWeight ? Tensor.uninitialized(weight.shape) : Tensor.uninitialized([0])
    x.withUnsafeBufferPointer { xp in
      weight.withUnsafeBufferPointer { wp in
        gy.withUnsafeBufferPointer { gp in
          cols.withUnsafeMutableBufferPointer { cp in
            dcols.withUnsafeMutableBufferPointer { dcp in
              dx.withUnsafeMutableBufferPointer { dxp in
                dw.withUnsafeMutableBufferPointer { dwp in
                  let X = xp.baseAddress!
                  let Wt = wp.baseAddress!
                  let G = gp.baseAddress!
                  for n in 0..<N {
                    let gn = G + n * O * P
                    if needWeight {
                      let src: UnsafePointer<Float>
                      if pointwise {
                        src = X + n * inPlane
                      } else {
                        Im2Col.unfold(X + n * inPlane, channels: C, geometry: g, into: cp.baseAddress!)
                        src = UnsafePointer(cp.baseAddress!)
                      }
                      // dW[O, K] (+)= dY[n][O, P] · cols[K, P]ᵀ
                      BLAS.sgemm(
                        transA: false, transB: true, m: O, n: K, k: P, alpha: 1, a: gn, lda: P,
                        b: src, ldb: P, beta: n == 0 ? 0 : 1, c: dwp.baseAddress!, ldc: K)
                    }
                    if needInput {
                      let dxn = dxp.baseAddress! + n * inPlane
                      // dcols[K, P] = W[O, K]ᵀ · dY[n][O, P]
                      let target = pointwise ? dxn : dcp.baseAddress!
                      BLAS.sgemm(
                        transA: true, transB: false, m: K, n: P, k: O, alpha: 1, a: Wt, lda: K,
                        b: gn, ldb: P, beta: 0, c: target, ldc: P)
                      if !pointwise {
                        Im2Col.fold(UnsafePointer(dcp.baseAddress!), channels: C, geometry: g, into: dxn)
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return (needInput ? dx : nil, needWeight ? dw : nil, gb)
  }
}
