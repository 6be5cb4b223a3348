import Synchronization

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
///
/// Work is split over images into ``Parallel/taskCount(for:)`` tasks, each calling single-threaded
/// sgemm; within an image, the im2col matrix is built for a band of output rows at a time so that
/// it stays in cache (``scratchBytes``). The weight gradient is accumulated transposed,
/// `dWᵀ[K, O] += cols · dYᵀ`, which runs faster in OpenBLAS than `dY · colsᵀ` for few output
/// channels, and is transposed once at the end.
public enum ConvKernels {
  private static let scratchBudget = Atomic<Int>(1 << 22)

  /// Target size in bytes of the per-task im2col scratch matrix (default 4 MiB): bands of output
  /// rows are sized to fit it (at least one row).
  public static var scratchBytes: Int {
    get { scratchBudget.load(ordering: .relaxed) }
    set { scratchBudget.store(Swift.max(1, newValue), ordering: .relaxed) }
  }

  /// Output rows per im2col band for a `K`-row matrix: as many as fit ``scratchBytes``, at least 1.
  static func bandRows(K: Int, geometry g: WindowGeometry) -> Int {
    let columns = scratchBytes / (4 * Swift.max(K, 1))
    return Swift.max(1, Swift.min(g.outputHeight, columns / g.outputWidth))
  }

  /// `out = conv2d(x, weight) + bias` for `x: [N, C, H, W]`, `weight: [O, C, kH, kW]`;
  /// `out` must have shape `[N, O, OH, OW]` and is overwritten.
  public static func forward(
    _ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: WindowGeometry, into out: inout Tensor
  ) {
    forward(x, weight: weight, bias: bias, geometry: g, into: &out, band: nil, tasks: nil)
  }

  /// ``forward(_:weight:bias:geometry:into:)`` with the band height and task count fixed (tests).
  static func forward(
    _ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: WindowGeometry, into out: inout Tensor,
    band bandOverride: Int?, tasks tasksOverride: Int?
  ) {
    let (N, C, O) = (x.shape[0], x.shape[1], weight.shape[0])
    let K = C * g.taps
    let P = g.outputPlane
    let OW = g.outputWidth
    let inPlane = C * g.inputPlane
    let pointwise = g.isPointwise
    let band = pointwise ? g.outputHeight : (bandOverride ?? bandRows(K: K, geometry: g))
    let tasks = tasksOverride ?? Parallel.taskCount(for: N)
    let biasValues = bias?.scalars
    x.withUnsafeBufferPointer { xp in
      weight.withUnsafeBufferPointer { wp in
        out.withUnsafeMutableBufferPointer { yp in
          let X = xp.baseAddress!
          let Wt = wp.baseAddress!
          let Y = yp.baseAddress!
          runTasks(tasks) { t in
            var cols = Tensor.uninitialized(pointwise ? [0] : [K * band * OW])
            cols.withUnsafeMutableBufferPointer { cp in
              for n in images(of: t, tasks: tasks, count: N) {
                let xn = X + n * inPlane
                let yn = Y + n * O * P
                var beta: Float = 0
                if let biasValues {
                  for o in 0..<O { (yn + o * P).update(repeating: biasValues[o], count: P) }
                  beta = 1
                }
                var r0 = 0
                while r0 < g.outputHeight {
                  let r1 = Swift.min(r0 + band, g.outputHeight)
                  let Pc = (r1 - r0) * OW
                  let src: UnsafePointer<Float>
                  let ldb: Int
                  if pointwise {
                    (src, ldb) = (xn + r0 * OW, P)
                  } else {
                    Im2Col.unfold(xn, channels: C, geometry: g, rows: r0..<r1, into: cp.baseAddress!)
                    (src, ldb) = (UnsafePointer(cp.baseAddress!), Pc)
                  }
                  BLAS.sgemm(
                    transA: false, transB: false, m: O, n: Pc, k: K, alpha: 1, a: Wt, lda: K,
                    b: src, ldb: ldb, beta: beta, c: yn + r0 * OW, ldc: P)
                  r0 = r1
                }
              }
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
    backward(
      gy, input: x, weight: weight, geometry: g, needInput: needInput, needWeight: needWeight, needBias: needBias,
      band: nil, tasks: nil)
  }

  /// ``backward(_:input:weight:geometry:needInput:needWeight:needBias:)`` with the band height and
  /// task count fixed (tests).
  static func backward(
    _ gy: Tensor, input x: Tensor, weight: Tensor, geometry g: WindowGeometry,
    needInput: Bool, needWeight: Bool, needBias: Bool, band bandOverride: Int?, tasks tasksOverride: Int?
  ) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
    let (N, C, O) = (x.shape[0], x.shape[1], weight.shape[0])
    let K = C * g.taps
    let P = g.outputPlane
    let OW = g.outputWidth
    let inPlane = C * g.inputPlane
    let pointwise = g.isPointwise
    let band = pointwise ? g.outputHeight : (bandOverride ?? bandRows(K: K, geometry: g))
    let tasks = tasksOverride ?? Parallel.taskCount(for: N)
    guard needInput || needWeight || needBias else { return (nil, nil, nil) }
    var dx = needInput ? Tensor.uninitialized(x.shape) : Tensor.uninitialized([0])
    // Per task: dWᵀ [K, O] and the bias gradient [O], summed over tasks at the end.
    var partialWT = Tensor.uninitialized(needWeight ? [tasks, K * O] : [0])
    var partialBias = Tensor.zeros(needBias ? [tasks, O] : [0])
    x.withUnsafeBufferPointer { xp in
      weight.withUnsafeBufferPointer { wp in
        gy.withUnsafeBufferPointer { gp in
          dx.withUnsafeMutableBufferPointer { dxp in
            partialWT.withUnsafeMutableBufferPointer { pwp in
              partialBias.withUnsafeMutableBufferPointer { pbp in
                let X = xp.baseAddress!
                let Wt = wp.baseAddress!
                let G = gp.baseAddress!
                let DX = dxp.baseAddress
                let PW = pwp.baseAddress
                let PB = pbp.baseAddress
                runTasks(tasks) { t in
                  let scratch = pointwise ? 0 : K * band * OW
                  var cols = Tensor.uninitialized([needWeight ? scratch : 0])
                  var dcols = Tensor.uninitialized([needInput ? scratch : 0])
                  cols.withUnsafeMutableBufferPointer { cp in
                    dcols.withUnsafeMutableBufferPointer { dcp in
                      let dWT = needWeight ? PW! + t * K * O : nil
                      var first = true
                      for n in images(of: t, tasks: tasks, count: N) {
                        let gn = G + n * O * P
                        let xn = X + n * inPlane
                        if needBias {
                          let pb = PB! + t * O
                          for o in 0..<O { pb[o] += rowSum(gn + o * P, count: P) }
                        }
                        if needInput && !pointwise { (DX! + n * inPlane).update(repeating: 0, count: inPlane) }
                        var r0 = 0
                        while r0 < g.outputHeight {
                          let r1 = Swift.min(r0 + band, g.outputHeight)
                          let Pc = (r1 - r0) * OW
                          let gc = gn + r0 * OW
                          if let dWT {
                            // dWᵀ[K, O] (+)= cols[K, Pc] · dY[O, Pc]ᵀ
                            let src: UnsafePointer<Float>
                            let lda: Int
                            if pointwise {
                              (src, lda) = (xn + r0 * OW, P)
                            } else {
                              Im2Col.unfold(xn, channels: C, geometry: g, rows: r0..<r1, into: cp.baseAddress!)
                              (src, lda) = (UnsafePointer(cp.baseAddress!), Pc)
                            }
                            BLAS.sgemm(
                              transA: false, transB: true, m: K, n: O, k: Pc, alpha: 1, a: src, lda: lda,
                              b: gc, ldb: P, beta: first ? 0 : 1, c: dWT, ldc: O)
                            first = false
                          }
                          if needInput {
                            // dcols[K, Pc] = W[O, K]ᵀ · dY[O, Pc]; a pointwise conv writes dX directly.
                            let dxn = DX! + n * inPlane
                            let (target, ldc) = pointwise ? (dxn + r0 * OW, P) : (dcp.baseAddress!, Pc)
                            BLAS.sgemm(
                              transA: true, transB: false, m: K, n: Pc, k: O, alpha: 1, a: Wt, lda: K,
                              b: gc, ldb: P, beta: 0, c: target, ldc: ldc)
                            if !pointwise {
                              Im2Col.fold(UnsafePointer(dcp.baseAddress!), channels: C, geometry: g, rows: r0..<r1, into: dxn)
                            }
                          }
                          r0 = r1
                        }
                      }
                      if let dWT, first { dWT.update(repeating: 0, count: K * O) }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    var gw: Tensor? = nil
    if needWeight {
      // Sum the tasks' dWᵀ and transpose [K, O] → [O, K].
      var w = Tensor.uninitialized(weight.shape)
      partialWT.withUnsafeBufferPointer { pp in
        w.withUnsafeMutableBufferPointer { wp in
          let src = pp.baseAddress!
          let dst = wp.baseAddress!
          for k in 0..<K {
            for o in 0..<O {
              var v = src[k * O + o]
              for t in 1..<Swift.max(tasks, 1) { v += src[t * K * O + k * O + o] }
              dst[o * K + k] = v
            }
          }
        }
      }
      gw = w
    }
    var gb: Tensor? = nil
    if needBias {
      gb = tasks == 1 ? partialBias.reshaped([O]) : partialBias.sum(axis: 0)
    }
    return (needInput ? dx : nil, gw, gb)
  }

  /// The images task `t` of `tasks` handles: a contiguous share of the batch.
  @inline(__always)
  static func images(of t: Int, tasks: Int, count: Int) -> Range<Int> {
    (t * count / tasks)..<((t + 1) * count / tasks)
  }

  /// Runs the tasks, with single-threaded BLAS when there is more than one.
  static func runTasks(_ tasks: Int, _ body: (Int) -> Void) {
    if tasks == 1 {
      body(0)
    } else {
      Parallel.withSingleThreadedBLAS { Parallel.run(tasks, body) }
    }
  }

  /// Sum of `count` floats in 16 lanes.
  @inline(__always)
  static func rowSum(_ p: UnsafePointer<Float>, count n: Int) -> Float {
    var acc = SIMD16<Float>()
    let raw = UnsafeRawPointer(p)
    var i = 0
    while i &+ 16 <= n {
      acc += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
      i &+= 16
    }
    var s = acc.sum()
    while i < n {
      s += p[i]
      i &+= 1
    }
    return s
  }
}
