import Synchronization

/// The convolution's forward and backward passes on whole tensors.
///
/// 3×3 stride-1 convolutions with at least 16 input and output channels go through Winograd
/// (`ConvKernels+Winograd.swift`); everything else through im2col + sgemm, described here.
///
/// Work is split over images into ``Parallel/taskCount(for:)`` tasks, each calling single-threaded
/// sgemm; within an image, the im2col matrix is built for a band of output rows at a time so that
/// it stays in cache (``scratchBytes``). The weight gradient is accumulated transposed,
/// `dWᵀ[K, O] += cols · dYᵀ`, which runs faster in OpenBLAS than `dY · colsᵀ` for few output
/// channels (measured ~93 vs ~72 GFLOP/s on one core for 64 channels), and is transposed once at
/// the end.
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
    var i = 0
    while i &+ 16 <= n {
      acc += SIMDMemory.load16(p + i)
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
