import Synchronization

/// The Winograd F(2×2, 3×3) path of ``ConvKernels``: 3×3 stride-1 convolutions with at least 16
/// input and output channels compute the output, the input gradient and the weight gradient as 16
/// GEMMs over transformed tiles (``Winograd3x3``), chunk by chunk of images, split over tasks like
/// the im2col path.
extension ConvKernels {
  private static let winogradSetting = Atomic<Bool>(true)

  /// Whether 3×3 stride-1 convolutions with at least 16 input and output channels use Winograd's
  /// F(2×2, 3×3) (``Winograd3x3``) for the output, the input gradient and the weight gradient
  /// (default true; false forces im2col + sgemm everywhere).
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
  ///
  /// The channel threshold is measured (16 images of 32×32, fwd + bwd, one thread): with 8 → 8
  /// channels im2col was ~25% faster, with 16 → 16 Winograd ~12% faster, with 32 → 32 ~20%.
  static func usesWinograd(_ g: WindowGeometry, inputs C: Int, outputs O: Int) -> Bool {
    winogradEnabled && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1
      && g.strideWidth == 1
      && C >= 16 && O >= 16
      && tileEfficiency(outputs: g.outputHeight, dilation: g.dilationHeight)
        * tileEfficiency(outputs: g.outputWidth, dilation: g.dilationWidth) >= 0.5
  }

  /// The fraction of a Winograd tiling's computed outputs along one axis that are real outputs.
  ///
  /// Tiles produce two outputs `dilation` apart; a residue class with an odd number of outputs
  /// wastes one. With a dilation at least the map size (an ASPP branch of rate 12 on an 8×8 map),
  /// every tile yields one real output of two, and the padded planes grow with the padding:
  /// measured on the resnet50 step benchmark (OS8, DeepLab heads, batch 2, one thread), Winograd
  /// there made the whole step ~1.6× slower than im2col. Below 0.5 (over both axes) im2col is used.
  static func tileEfficiency(outputs: Int, dilation d: Int) -> Double {
    var tiles = 0
    for a in 0..<Swift.min(d, outputs) {
      let count = (outputs - a + d - 1) / d
      tiles += (count + 1) / 2
    }
    return Double(outputs) / Double(2 * Swift.max(tiles, 1))
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
}
