/// 3×3, stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, 2015).
///
/// Each 2×2 block of outputs (a *tile*) is computed from a 4×4 block of inputs as
/// `Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`, so that, summed over channels, the 16 element-wise products
/// become 16 matrix products `M_ξ[O, T] = U_ξ[O, C] · V_ξ[C, T]` over all tiles `T`: 4 multiplies
/// per output instead of 9. The transforms use only additions and halvings, so the result agrees
/// with direct convolution to a few units of Float rounding.
///
/// Dilation is handled natively: a tile's two outputs along an axis are `dilation` apart, and
/// its inputs are read `dilation` apart, so each residue class of rows and columns forms its own
/// undilated grid. Any padding is allowed; inputs outside the image are zeros.
public enum Winograd3x3 {
  /// Top-left output positions of the tiles along one axis: for each residue `a < dilation`, rows
  /// `a, a + 2·dilation, …` below `outputs`.
  static func tileStarts(outputs: Int, dilation d: Int) -> [Int] {
    var starts: [Int] = []
    for a in 0..<Swift.min(d, outputs) {
      var r = a
      while r < outputs {
        starts.append(r)
        r += 2 * d
      }
    }
    return starts
  }

  /// `U[ξ][o][c] = (G g Gᵀ)[ξ]` for the `[O, C, 3, 3]` weight `g` (`U`: `[16, O, C]`).
  ///
  /// With `transposed`, transforms the weight of the adjoint convolution instead,
  /// `g'[c, o, i, j] = g[o, c, 2 − i, 2 − j]`, giving `U`: `[16, C, O]`.
  public static func transformWeight(
    _ g: UnsafePointer<Float>, outputs O: Int, inputs C: Int, transposed: Bool,
    into u: UnsafeMutablePointer<Float>
  ) {
    let plane = O &* C
    for o in 0..<O {
      for c in 0..<C {
        let k = g + (o &* C &+ c) &* 9
        // Rows of w (the adjoint reads the kernel rotated by 180°).
        @inline(__always) func wrow(_ i: Int) -> SIMD3<Float> {
          transposed
            ? SIMD3(k[(2 - i) * 3 + 2], k[(2 - i) * 3 + 1], k[(2 - i) * 3])
            : SIMD3(k[i * 3], k[i * 3 + 1], k[i * 3 + 2])
        }
        let (w0, w1, w2) = (wrow(0), wrow(1), wrow(2))
        // t = G w (4 rows of 3), then U = t Gᵀ (4×4).
        let t = (w0, 0.5 * (w0 + w1 + w2), 0.5 * (w0 - w1 + w2), w2)
        let dst = transposed ? c &* O &+ o : o &* C &+ c
        @inline(__always) func put(_ i: Int, _ r: SIMD3<Float>) {
          u[(i &* 4) &* plane &+ dst] = r[0]
          u[(i &* 4 &+ 1) &* plane &+ dst] = 0.5 * (r[0] + r[1] + r[2])
          u[(i &* 4 &+ 2) &* plane &+ dst] = 0.5 * (r[0] - r[1] + r[2])
          u[(i &* 4 &+ 3) &* plane &+ dst] = r[2]
        }
        put(0, t.0)
        put(1, t.1)
        put(2, t.2)
        put(3, t.3)
      }
    }
  }

  /// The tiling of one convolution: input and output sizes, padding, dilation, and the tiles.
  ///
  /// Tiles along an axis come in runs, one per residue class modulo the dilation, whose starts are
  /// `2·dilation` apart. Inputs are read from a zero-padded copy of each plane
  /// (`paddedHeight × paddedWidth`, the image at offset `(padding, padding)`) whose columns are
  /// grouped by residue modulo the dilation (column `j` at `(j mod d)·residueWidth + j / d`), so that
  /// the taps of consecutive tiles of a run are adjacent whatever the dilation. Outputs are written
  /// to an overhanging plane (`tiledHeight × tiledWidth`) and cropped, so no kernel checks bounds.
  public struct Plan: Sendable {
    public let inputHeight: Int, inputWidth: Int
    public let outputHeight: Int, outputWidth: Int
    public let paddingHeight: Int, paddingWidth: Int
    public let dilationHeight: Int, dilationWidth: Int
    /// Tile starts along each axis, run by run.
    let tileRows: [Int]
    let tileCols: [Int]
    /// Column runs: first tile start and tile count.
    let columnRuns: [(start: Int, count: Int)]
    let paddedHeight: Int, paddedWidth: Int, residueWidth: Int
    let tiledHeight: Int, tiledWidth: Int
    /// The output-gradient plane, zero-padded to the tiles and regrouped by column residue like the
    /// input (`tiledHeight × gradientPaddedWidth`).
    let gradientPaddedWidth: Int, gradientResidueWidth: Int

    /// Tiles per image.
    public var tilesPerImage: Int { tileRows.count * tileCols.count }

    /// A 3×3, stride-1 convolution of `input`-sized images with the given padding and dilation.
    public init(input: Size2D, padding: Size2D, dilation: Size2D) {
      inputHeight = input.height
      inputWidth = input.width
      paddingHeight = padding.height
      paddingWidth = padding.width
      dilationHeight = dilation.height
      dilationWidth = dilation.width
      outputHeight = input.height + 2 * padding.height - 2 * dilation.height
      outputWidth = input.width + 2 * padding.width - 2 * dilation.width
      precondition(
        outputHeight > 0 && outputWidth > 0, "Winograd3x3: empty output for input \(input)")
      tileRows = Winograd3x3.tileStarts(outputs: outputHeight, dilation: dilation.height)
      tileCols = Winograd3x3.tileStarts(outputs: outputWidth, dilation: dilation.width)
      var runs: [(Int, Int)] = []
      for a in 0..<Swift.min(dilation.width, outputWidth) {
        runs.append((a, tileCols.filter { $0 % dilation.width == a }.count))
      }
      columnRuns = runs
      tiledHeight = tileRows.max()! + dilation.height + 1
      tiledWidth = tileCols.max()! + dilation.width + 1
      gradientResidueWidth = (tiledWidth + dilation.width - 1) / dilation.width
      gradientPaddedWidth = gradientResidueWidth * dilation.width + 18
      paddedHeight = Swift.max(
        tileRows.max()! + 3 * dilation.height + 1, input.height + padding.height)
      let columns = Swift.max(tileCols.max()! + 3 * dilation.width + 1, input.width + padding.width)
      residueWidth = (columns + dilation.width - 1) / dilation.width
      // 18 spare columns: the last run's 16-wide loads may read past its taps.
      paddedWidth = residueWidth * dilation.width + 18
    }
  }

  /// `V[ξ][c][t] = (Bᵀ d B)[ξ]` for every tile `t` of the images `images` of `x` (`[N, C, H, W]`);
  /// tile `t` of the chunk is `(n − images.lowerBound) · tilesPerImage + row · tileCols + col`.
  /// `V` has shape `[16, C, T]` with `T = images.count · tilesPerImage`. `padded` is scratch of
  /// `paddedHeight · paddedWidth` floats.
  public static func transformInput(
    _ x: UnsafePointer<Float>, channels C: Int, plan: Plan, images: Range<Int>,
    padded: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>
  ) {
    let (H, W) = (plan.inputHeight, plan.inputWidth)
    let (pH, pW, dH, dW) = (
      plan.paddingHeight, plan.paddingWidth, plan.dilationHeight, plan.dilationWidth
    )
    let (Hp, Wp, Wq) = (plan.paddedHeight, plan.paddedWidth, plan.residueWidth)
    let perImage = plan.tilesPerImage
    let T = images.count &* perImage
    let stride = C &* T
    // Zero borders once; each plane then only overwrites the image region.
    padded.update(repeating: 0, count: Hp &* Wp)
    let copyRows = Swift.min(H, Hp &- pH)
    let copyCols = Swift.min(W, Wq &* dW &- pW)
    plan.tileRows.withUnsafeBufferPointer { rows in
      plan.columnRuns.withUnsafeBufferPointer { runs in
        for n in images {
          for c in 0..<C {
            let plane = x + (n &* C &+ c) &* H &* W
            for i in 0..<copyRows {
              let src = plane + i &* W
              let dst = padded + (i &+ pH) &* Wp
              if dW == 1 {
                (dst + pW).update(from: src, count: copyCols)
              } else {
                // Padded column pc = j + pW goes to (pc mod dW)·Wq + pc / dW: walk each residue.
                for rho in 0..<dW {
                  // First j ≥ 0 with (j + pW) mod dW == rho.
                  var j = ((rho &- pW) % dW &+ dW) % dW
                  var q = (j &+ pW) / dW
                  let seg = dst + rho &* Wq
                  while j < copyCols {
                    seg[q] = src[j]
                    j &+= dW
                    q &+= 1
                  }
                }
              }
            }
            var t = (n &- images.lowerBound) &* perImage
            let out = v + c &* T
            for r in rows {
              let r0 = UnsafePointer(padded + r &* Wp)
              let r1 = r0 + dH &* Wp
              let r2 = r1 + dH &* Wp
              let r3 = r2 + dH &* Wp
              for run in runs {
                var k = 0
                // Regrouped column of the run's first tile (its residue is run.start < dW).
                var col = run.start &* Wq
                while k < run.count {
                  let lanes = Swift.min(8, run.count &- k)
                  // d[u][v] for 8 tiles at once: lane l is the run's tile k + l.
                  let (d0, d1, d2, d3) = (
                    gatherRow(r0, col), gatherRow(r1, col), gatherRow(r2, col), gatherRow(r3, col)
                  )
                  // Bᵀ d (rows), then · B (columns).
                  let t0 = sub(d0, d2)
                  let t1 = add(d1, d2)
                  let t2 = sub(d2, d1)
                  let t3 = sub(d1, d3)
                  @inline(__always) func store(_ u: Int, _ q: Quad) {
                    let base = out + (u &* 4 &* stride &+ t)
                    storeLanes(q.0 - q.2, base, lanes)
                    storeLanes(q.1 + q.2, base + stride, lanes)
                    storeLanes(q.2 - q.1, base + 2 &* stride, lanes)
                    storeLanes(q.1 - q.3, base + 3 &* stride, lanes)
                  }
                  store(0, t0)
                  store(1, t1)
                  store(2, t2)
                  store(3, t3)
                  t &+= lanes
                  k &+= lanes
                  col &+= 16
                }
              }
            }
          }
        }
      }
    }
  }

  typealias Quad = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
  @inline(__always) static func add(_ a: Quad, _ b: Quad) -> Quad {
    (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3)
  }
  @inline(__always) static func sub(_ a: Quad, _ b: Quad) -> Quad {
    (a.0 - b.0, a.1 - b.1, a.2 - b.2, a.3 - b.3)
  }

  /// The four taps `row[col + 2·l + v]`, `v = 0…3`, of 8 tiles `l` (lanes past a run's end hold
  /// whatever follows it and are not stored).
  @inline(__always)
  static func gatherRow(_ row: UnsafePointer<Float>, _ col: Int) -> Quad {
    // Columns col … col + 17: even and odd lanes of two overlapping 16-wide loads.
    let (e0, o0) = SIMDMemory.loadEvenOdd(row + col)
    let (e1, o1) = SIMDMemory.loadEvenOdd(row + (col &+ 2))
    return (e0, o0, e1, o1)
  }

  @inline(__always)
  static func storeLanes(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
    if lanes == 8 {
      SIMDMemory.store8(v, p)
    } else {
      for l in 0..<lanes { p[l] = v[l] }
    }
  }

  /// Writes `M`'s output transform `Aᵀ m A` of every tile of the images `images` into `y`
  /// (`[N, O, OH, OW]`, overwritten there), plus `bias[o]` when given. `M` has shape `[16, O, T]`
  /// and must be followed by 8 readable floats; `tiled` is scratch of `tiledHeight · tiledWidth`
  /// floats.
  public static func transformOutput(
    _ m: UnsafePointer<Float>, outputs O: Int, plan: Plan, images: Range<Int>,
    bias: UnsafePointer<Float>?,
    tiled: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>
  ) {
    let (OH, OW) = (plan.outputHeight, plan.outputWidth)
    let (dH, dW) = (plan.dilationHeight, plan.dilationWidth)
    let Wt = plan.tiledWidth
    let perImage = plan.tilesPerImage
    let T = images.count &* perImage
    let stride = O &* T
    plan.tileRows.withUnsafeBufferPointer { rows in
      plan.columnRuns.withUnsafeBufferPointer { runs in
        for n in images {
          for o in 0..<O {
            let b = bias?[o] ?? 0
            var t = (n &- images.lowerBound) &* perImage
            let src = m + o &* T
            for r in rows {
              let top = tiled + r &* Wt
              let bottom = top + dH &* Wt
              for run in runs {
                var k = 0
                var col = run.start
                while k < run.count {
                  let lanes = Swift.min(8, run.count &- k)
                  // Lanes past the run's end read the next tiles (M has 8 floats of slack) and are dropped.
                  @inline(__always) func row(_ u: Int) -> Quad {
                    let p = src + (u &* 4 &* stride &+ t)
                    return (
                      load8(p), load8(p + stride), load8(p + 2 &* stride), load8(p + 3 &* stride)
                    )
                  }
                  let (q0, q1, q2, q3) = (row(0), row(1), row(2), row(3))
                  let s0 = add(add(q0, q1), q2)
                  let s1 = sub(sub(q1, q2), q3)
                  let y00 = s0.0 + s0.1 + s0.2
                  let y01 = s0.1 - s0.2 - s0.3
                  let y10 = s1.0 + s1.1 + s1.2
                  let y11 = s1.1 - s1.2 - s1.3
                  if dW == 1 && lanes == 8 {
                    // Eight adjacent tiles fill 16 adjacent columns of both rows.
                    SIMDMemory.storeInterleaved(y00, y01, top + col)
                    SIMDMemory.storeInterleaved(y10, y11, bottom + col)
                  } else {
                    for l in 0..<lanes {
                      let c = col &+ 2 &* dW &* l
                      top[c] = y00[l]
                      top[c &+ dW] = y01[l]
                      bottom[c] = y10[l]
                      bottom[c &+ dW] = y11[l]
                    }
                  }
                  t &+= lanes
                  k &+= lanes
                  col &+= 16 &* dW
                }
              }
            }
            // Crop the tiled plane into the output, adding the bias.
            let plane = y + (n &* O &+ o) &* OH &* OW
            for i in 0..<OH {
              let from = tiled + i &* Wt
              let to = plane + i &* OW
              for j in 0..<OW { to[j] = from[j] + b }
            }
          }
        }
      }
    }
  }

  @inline(__always)
  static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    SIMDMemory.load8(p)
  }

  // MARK: Weight gradient

  // The forward map of one tile is linear in the weight: Y = Aᵀ [(G g Gᵀ) ⊙ V] A. Its adjoint gives
  // the weight gradient exactly: dg = Gᵀ [(A dY Aᵀ) ⊙ V] G, summed over tiles and images, i.e. 16
  // products Z_ξ[O, C] = Σ_t DY_ξ[O, t] · V_ξ[C, t] followed by the 4×4 → 3×3 transform Gᵀ Z G.

  /// `DY[ξ][o][t] = (A dy Aᵀ)[ξ]` for the 2×2 output-gradient block `dy` of every tile of the
  /// images `images` of `gy` (`[N, O, OH, OW]`; outputs past the image are zeros). `DY` has shape
  /// `[16, O, T]`; `padded` is scratch of `tiledHeight · gradientPaddedWidth` floats.
  public static func transformGradient(
    _ gy: UnsafePointer<Float>, channels O: Int, plan: Plan, images: Range<Int>,
    padded: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>
  ) {
    let (OH, OW) = (plan.outputHeight, plan.outputWidth)
    let (dH, dW) = (plan.dilationHeight, plan.dilationWidth)
    let (Wp, Wq) = (plan.gradientPaddedWidth, plan.gradientResidueWidth)
    let perImage = plan.tilesPerImage
    let T = images.count &* perImage
    let stride = O &* T
    padded.update(repeating: 0, count: plan.tiledHeight &* Wp)
    plan.tileRows.withUnsafeBufferPointer { rows in
      plan.columnRuns.withUnsafeBufferPointer { runs in
        for n in images {
          for o in 0..<O {
            let plane = gy + (n &* O &+ o) &* OH &* OW
            for i in 0..<OH {
              let src = plane + i &* OW
              let dst = padded + i &* Wp
              if dW == 1 {
                dst.update(from: src, count: OW)
              } else {
                for rho in 0..<Swift.min(dW, OW) {
                  var j = rho
                  var q = 0
                  let seg = dst + rho &* Wq
                  while j < OW {
                    seg[q] = src[j]
                    j &+= dW
                    q &+= 1
                  }
                }
              }
            }
            var t = (n &- images.lowerBound) &* perImage
            let base = out + o &* T
            for r in rows {
              let top = UnsafePointer(padded + r &* Wp)
              let bottom = UnsafePointer(padded + (r &+ dH) &* Wp)
              for run in runs {
                var k = 0
                var col = run.start &* Wq
                while k < run.count {
                  let lanes = Swift.min(8, run.count &- k)
                  // The tile's block [[a, b], [c, d]] for 8 tiles: columns col + 2l and col + 2l + 1.
                  let (a, b) = SIMDMemory.loadEvenOdd(top + col)
                  let (c, d) = SIMDMemory.loadEvenOdd(bottom + col)
                  // A dy (rows [a, b], [a + c, b + d], [a − c, b − d], [−c, −d]), then each row
                  // [p, q] · Aᵀ = [p, p + q, p − q, −q].
                  @inline(__always) func store(_ row: Int, _ p: SIMD8<Float>, _ q: SIMD8<Float>) {
                    let dst = base + (row &* 4 &* stride &+ t)
                    storeLanes(p, dst, lanes)
                    storeLanes(p + q, dst + stride, lanes)
                    storeLanes(p - q, dst + 2 &* stride, lanes)
                    storeLanes(-q, dst + 3 &* stride, lanes)
                  }
                  store(0, a, b)
                  store(1, a + c, b + d)
                  store(2, a - c, b - d)
                  store(3, -c, -d)
                  t &+= lanes
                  k &+= lanes
                  col &+= 16
                }
              }
            }
          }
        }
      }
    }
  }

  /// `dW[o, c] = Gᵀ Z[·][o][c] G` for `Z`: `[16, O, C]`, writing the `[O, C, 3, 3]` gradient.
  public static func transformWeightGradient(
    _ z: UnsafePointer<Float>, outputs O: Int, inputs C: Int, into dw: UnsafeMutablePointer<Float>
  ) {
    let plane = O &* C
    for oc in 0..<plane {
      @inline(__always) func zrow(_ i: Int) -> SIMD4<Float> {
        SIMD4(
          z[(i &* 4) &* plane &+ oc], z[(i &* 4 &+ 1) &* plane &+ oc],
          z[(i &* 4 &+ 2) &* plane &+ oc],
          z[(i &* 4 &+ 3) &* plane &+ oc])
      }
      let (z0, z1, z2, z3) = (zrow(0), zrow(1), zrow(2), zrow(3))
      // Gᵀ Z: three rows, then each row [p0, p1, p2, p3] · G = [p0 + (p1 + p2)/2, (p1 − p2)/2, (p1 + p2)/2 + p3].
      let rows = (z0 + 0.5 * (z1 + z2), 0.5 * (z1 - z2), 0.5 * (z1 + z2) + z3)
      let out = dw + oc &* 9
      @inline(__always) func put(_ i: Int, _ p: SIMD4<Float>) {
        out[i &* 3] = p[0] + 0.5 * (p[1] + p[2])
        out[i &* 3 &+ 1] = 0.5 * (p[1] - p[2])
        out[i &* 3 &+ 2] = 0.5 * (p[1] + p[2]) + p[3]
      }
      put(0, rows.0)
      put(1, rows.1)
      put(2, rows.2)
    }
  }
}
