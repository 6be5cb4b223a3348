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

  private static let winogradSetting = Atomic<Bool>(true)

  /// Whether 3×3 stride-1 convolutions use Winograd's F(2×2, 3×3) (``Winograd3x3``) for the output
  /// and the input gradient (default true; false forces im2col + sgemm everywhere).
  public static var winogradEnabled: Bool {
    get { winogradSetting.load(ordering: .relaxed) }
    set { winogradSetting.store(newValue, ordering: .relaxed) }
  }

  private static let winogradTiles = Atomic<Int>(128)

  /// Tiles per Winograd chunk: whole images are grouped until they reach it (default 128, which kept
  /// the transformed chunk in cache and measured fastest on the reference model; the transformed
  /// inputs of a chunk take `16 · channels · tiles` floats).
  public static var winogradChunkTiles: Int {
    get { winogradTiles.load(ordering: .relaxed) }
    set { winogradTiles.store(Swift.max(1, newValue), ordering: .relaxed) }
  }

  /// Whether a convolution with this geometry and channel counts runs through Winograd.
  static func usesWinograd(_ g: WindowGeometry, inputs C: Int, outputs O: Int) -> Bool {
    winogradEnabled && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1
      && g.strideWidth == 1
      && C >= 16 && O >= 16
  }

  /// `out = conv(input, U) (+ bias)` through Winograd, where `u` holds transformed weights
  /// `[16, outC, inC]`; `input` is `[N, inC, H, W]` and `out` `[N, outC, OH, OW]` (overwritten).
  static func winograd(
    _ input: Tensor, inChannels C: Int, outChannels O: Int, u: Tensor, plan: Winograd3x3.Plan,
    bias: [Float]?, into out: inout Tensor, tasks: Int
  ) {
    let N = input.shape[0]
    let perImage = plan.tilesPerImage
    let chunk = Swift.max(1, Swift.min(N, winogradChunkTiles / Swift.max(perImage, 1)))
    input.withUnsafeBufferPointer { xp in
      u.withUnsafeBufferPointer { up in
        out.withUnsafeMutableBufferPointer { yp in
          let X = xp.baseAddress!
          let U = up.baseAddress!
          let Y = yp.baseAddress!
          runTasks(tasks) { t in
            let mine = images(of: t, tasks: tasks, count: N)
            let tiles = Swift.min(chunk, mine.count) * perImage
            var v = Tensor.uninitialized([16 * C * tiles])
            var m = Tensor.uninitialized([16 * O * tiles + 8])  // + 8: see transformOutput
            // Scratch: a zero-padded input plane and an overhanging output plane.
            var planes = Tensor.uninitialized([
              plan.paddedHeight * plan.paddedWidth + plan.tiledHeight * plan.tiledWidth
            ])
            v.withUnsafeMutableBufferPointer { vp in
              m.withUnsafeMutableBufferPointer { mp in
                planes.withUnsafeMutableBufferPointer { sp in
                  let V = vp.baseAddress!
                  let M = mp.baseAddress!
                  let PD = sp.baseAddress!
                  let TL = PD + plan.paddedHeight * plan.paddedWidth
                  var n0 = mine.lowerBound
                  while n0 < mine.upperBound {
                    let range = n0..<Swift.min(n0 + chunk, mine.upperBound)
                    let T = range.count * perImage
                    Winograd3x3.transformInput(
                      X, channels: C, plan: plan, images: range, padded: PD, into: V)
                    for xi in 0..<16 {
                      BLAS.sgemm(
                        transA: false, transB: false, m: O, n: T, k: C, alpha: 1, a: U + xi * O * C,
                        lda: C,
                        b: V + xi * C * T, ldb: T, beta: 0, c: M + xi * O * T, ldc: T)
                    }
                    if let bias {
                      bias.withUnsafeBufferPointer {
                        Winograd3x3.transformOutput(
                          M, outputs: O, plan: plan, images: range, bias: $0.baseAddress, tiled: TL,
                          into: Y)
                      }
                    } else {
                      Winograd3x3.transformOutput(
                        M, outputs: O, plan: plan, images: range, bias: nil, tiled: TL, into: Y)
                    }
                    n0 = range.upperBound
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// The weight gradient `[O, C, 3, 3]` of a Winograd-eligible convolution of `x` (`[N, C, H, W]`)
  /// whose output gradient is `gy` (`[N, O, OH, OW]`), through the adjoint of F(2×2, 3×3).
  static func winogradWeightGradient(
    _ gy: Tensor, input x: Tensor, outChannels O: Int, plan: Winograd3x3.Plan, tasks: Int
  ) -> Tensor {
    let (N, C) = (x.shape[0], x.shape[1])
    let perImage = plan.tilesPerImage
    let chunk = Swift.max(1, Swift.min(N, winogradChunkTiles / Swift.max(perImage, 1)))
    var partial = Tensor.uninitialized([tasks, 16 * O * C])
    x.withUnsafeBufferPointer { xp in
      gy.withUnsafeBufferPointer { gp in
        partial.withUnsafeMutableBufferPointer { pp in
          let X = xp.baseAddress!
          let G = gp.baseAddress!
          let Z = pp.baseAddress!
          runTasks(tasks) { t in
            let mine = images(of: t, tasks: tasks, count: N)
            let z = Z + t * 16 * O * C
            guard !mine.isEmpty else {
              z.update(repeating: 0, count: 16 * O * C)
              return
            }
            let tiles = Swift.min(chunk, mine.count) * perImage
            var v = Tensor.uninitialized([16 * C * tiles])
            var dy = Tensor.uninitialized([16 * O * tiles])
            var planes = Tensor.uninitialized(
              [plan.paddedHeight * plan.paddedWidth + plan.tiledHeight * plan.gradientPaddedWidth])
            v.withUnsafeMutableBufferPointer { vp in
              dy.withUnsafeMutableBufferPointer { dp in
                planes.withUnsafeMutableBufferPointer { sp in
                  let V = vp.baseAddress!
                  let D = dp.baseAddress!
                  let PX = sp.baseAddress!
                  let PG = PX + plan.paddedHeight * plan.paddedWidth
                  var n0 = mine.lowerBound
                  while n0 < mine.upperBound {
                    let range = n0..<Swift.min(n0 + chunk, mine.upperBound)
                    let T = range.count * perImage
                    Winograd3x3.transformInput(
                      X, channels: C, plan: plan, images: range, padded: PX, into: V)
                    Winograd3x3.transformGradient(
                      G, channels: O, plan: plan, images: range, padded: PG, into: D)
                    for xi in 0..<16 {
                      // Z_ξ[O, C] (+)= DY_ξ[O, T] · V_ξ[C, T]ᵀ
                      BLAS.sgemm(
                        transA: false, transB: true, m: O, n: C, k: T, alpha: 1, a: D + xi * O * T,
                        lda: T,
                        b: V + xi * C * T, ldb: T, beta: n0 == mine.lowerBound ? 0 : 1,
                        c: z + xi * O * C, ldc: C)
                    }
                    n0 = range.upperBound
                  }
                }
              }
            }
          }
        }
      }
    }
    let z = tasks == 1 ? partial : partial.sum(axis: 0)
    var dw = Tensor.uninitialized([O, C, 3, 3])
    z.withUnsafeBufferPointer { zp in
      dw.withUnsafeMutableBufferPointer {
        Winograd3x3.transformWeightGradient(
          zp.baseAddress!, outputs: O, inputs: C, into: $0.baseAddress!)
      }
    }
    return dw
  }

  /// Winograd-transformed weights `[16, O, C]`, or of the adjoint convolution `[16, C, O]`.
  static func winogradWeights(_ weight: Tensor, transposed: Bool) -> Tensor {
    let (O, C) = (weight.shape[0], weight.shape[1])
    var u = Tensor.uninitialized([16 * O * C])
    weight.withUnsafeBufferPointer { wp in
      u.withUnsafeMutableBufferPointer {
        Winograd3x3.transformWeight(
          wp.baseAddress!, outputs: O, inputs: C, transposed: transposed, into: $0.baseAddress!)
      }
    }
    return u
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
    if bandOverride == nil && usesWinograd(g, inputs: C, outputs: O) {
      let plan = Winograd3x3.Plan(
        input: Size2D(g.inputHeight, g.inputWidth),
        padding: Size2D(g.paddingHeight, g.paddingWidth),
        dilation: Size2D(g.dilationHeight, g.dilationWidth))
      winograd(
        x, inChannels: C, outChannels: O, u: winogradWeights(weight, transposed: false), plan: plan,
        bias: biasValues, into: &out, tasks: tasks)
      return
    }
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
                    Im2Col.unfold(
                      xn, channels: C, geometry: g, rows: r0..<r1, into: cp.baseAddress!)
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
      gy, input: x, weight: weight, geometry: g, needInput: needInput, needWeight: needWeight,
      needBias: needBias,
      band: nil, tasks: nil)
  }

  /// ``backward(_:input:weight:geometry:needInput:needWeight:needBias:)`` with the band height and
  /// task count fixed (tests).
  static func backward(
    _ gy: Tensor, input x: Tensor, weight: Tensor, geometry g: WindowGeometry,
    needInput: Bool, needWeight: Bool, needBias: Bool, band bandOverride: Int?,
    tasks tasksOverride: Int?
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
    // The input gradient of a 3×3 stride-1 conv is the 3×3 stride-1 conv of dY with the flipped,
    // transposed kernel and padding 2·dilation − padding: Winograd computes it whole when allowed.
    var im2colInput = needInput
    var im2colWeight = needWeight
    var winogradWeight: Tensor? = nil
    if needWeight && bandOverride == nil && usesWinograd(g, inputs: C, outputs: O) {
      let plan = Winograd3x3.Plan(
        input: Size2D(g.inputHeight, g.inputWidth),
        padding: Size2D(g.paddingHeight, g.paddingWidth),
        dilation: Size2D(g.dilationHeight, g.dilationWidth))
      winogradWeight = winogradWeightGradient(
        gy, input: x, outChannels: O, plan: plan, tasks: tasks)
      im2colWeight = false
    }
    if needInput && bandOverride == nil && usesWinograd(g, inputs: O, outputs: C)
      && 2 * g.dilationHeight >= g.paddingHeight && 2 * g.dilationWidth >= g.paddingWidth
    {
      let plan = Winograd3x3.Plan(
        input: Size2D(g.outputHeight, g.outputWidth),
        padding: Size2D(
          2 * g.dilationHeight - g.paddingHeight, 2 * g.dilationWidth - g.paddingWidth),
        dilation: Size2D(g.dilationHeight, g.dilationWidth))
      winograd(
        gy, inChannels: O, outChannels: C, u: winogradWeights(weight, transposed: true), plan: plan,
        bias: nil,
        into: &dx, tasks: tasks)
      im2colInput = false
    }
    // Per task: dWᵀ [K, O] and the bias gradient [O], summed over tasks at the end.
    var partialWT = Tensor.uninitialized(im2colWeight ? [tasks, K * O] : [0])
    var partialBias = Tensor.zeros(needBias ? [tasks, O] : [0])
    let (useIm2colInput, useIm2colWeight) = (im2colInput, im2colWeight)
    if useIm2colInput || useIm2colWeight || needBias {
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
                    var cols = Tensor.uninitialized([useIm2colWeight ? scratch : 0])
                    var dcols = Tensor.uninitialized([useIm2colInput ? scratch : 0])
                    cols.withUnsafeMutableBufferPointer { cp in
                      dcols.withUnsafeMutableBufferPointer { dcp in
                        let dWT = useIm2colWeight ? PW! + t * K * O : nil
                        var first = true
                        for n in images(of: t, tasks: tasks, count: N) {
                          let gn = G + n * O * P
                          let xn = X + n * inPlane
                          if needBias {
                            let pb = PB! + t * O
                            for o in 0..<O { pb[o] += rowSum(gn + o * P, count: P) }
                          }
                          if useIm2colInput && !pointwise {
                            (DX! + n * inPlane).update(repeating: 0, count: inPlane)
                          }
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
                                Im2Col.unfold(
                                  xn, channels: C, geometry: g, rows: r0..<r1, into: cp.baseAddress!
                                )
                                (src, lda) = (UnsafePointer(cp.baseAddress!), Pc)
                              }
                              BLAS.sgemm(
                                transA: false, transB: true, m: K, n: O, k: Pc, alpha: 1, a: src,
                                lda: lda,
                                b: gc, ldb: P, beta: first ? 0 : 1, c: dWT, ldc: O)
                              first = false
                            }
                            if useIm2colInput {
                              // dcols[K, Pc] = W[O, K]ᵀ · dY[O, Pc]; a pointwise conv writes dX directly.
                              let dxn = DX! + n * inPlane
                              let (target, ldc) =
                                pointwise ? (dxn + r0 * OW, P) : (dcp.baseAddress!, Pc)
                              BLAS.sgemm(
                                transA: true, transB: false, m: K, n: Pc, k: O, alpha: 1, a: Wt,
                                lda: K,
                                b: gc, ldb: P, beta: 0, c: target, ldc: ldc)
                              if !pointwise {
                                Im2Col.fold(
                                  UnsafePointer(dcp.baseAddress!), channels: C, geometry: g,
                                  rows: r0..<r1, into: dxn)
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
    }
    var gw: Tensor? = winogradWeight
    if im2colWeight {
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
