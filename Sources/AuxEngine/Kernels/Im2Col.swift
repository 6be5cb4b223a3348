/// Pointer kernels that unfold an image into the im2col matrix of a convolution and fold such a
/// matrix back (col2im), with stride, padding and dilation handled natively.
///
/// For one image `x` of shape `[C, H, W]`, the im2col matrix has shape `[C·kH·kW, OH·OW]`: row
/// `(c·kH + i)·kW + j` holds, for every output position `(oh, ow)`, the input pixel
/// `x[c, oh·sH − pH + i·dH, ow·sW − pW + j·dW]`, or 0 where that lies in the padding. This is the row
/// order of a PyTorch weight `[O, C, kH, kW]` viewed as `[O, C·kH·kW]`, so a convolution is one GEMM
/// per image and its output is already NCHW.
///
/// Both kernels can work on a band of output rows `rows` (the columns `rows.lowerBound·OW ..<
/// rows.upperBound·OW` of the full matrix), so that a convolution can keep its scratch matrix in
/// cache; the band's matrix is `[C·kH·kW, rows.count·OW]`.
public enum Im2Col {
  /// Writes the im2col matrix of one image `x` (`[channels, H, W]`), restricted to the output rows
  /// `rows` (all rows by default), into `cols` (fully overwritten).
  ///
  /// Each matrix row is built from runs: the valid output columns are found once per kernel tap,
  /// so the inner loop is a contiguous copy when the stride is 1 and a strided gather otherwise.
  public static func unfold(
    _ x: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry, rows: Range<Int>? = nil,
    into cols: UnsafeMutablePointer<Float>
  ) {
    let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
    let (sH, sW) = (g.strideHeight, g.strideWidth)
    let r0 = rows?.lowerBound ?? 0
    let r1 = rows?.upperBound ?? OH
    let P = (r1 &- r0) &* OW
    var dst = cols
    for c in 0..<channels {
      let plane = x + c &* H &* W
      for i in 0..<g.kernelHeight {
        let hOff = i &* g.dilationHeight &- g.paddingHeight
        var (ohLo, ohHi) = WindowGeometry.validRange(offset: hOff, stride: sH, size: H, outputs: OH)
        ohLo = Swift.min(Swift.max(ohLo, r0), r1)
        ohHi = Swift.min(Swift.max(ohHi, ohLo), r1)
        for j in 0..<g.kernelWidth {
          let wOff = j &* g.dilationWidth &- g.paddingWidth
          let (owLo, owHi) = WindowGeometry.validRange(offset: wOff, stride: sW, size: W, outputs: OW)
          // Output rows whose tap reads only padding.
          if ohLo > r0 { fill(dst, count: (ohLo &- r0) &* OW) }
          if ohHi < r1 { fill(dst + (ohHi &- r0) &* OW, count: (r1 &- ohHi) &* OW) }
          var oh = ohLo
          while oh < ohHi {
            let out = dst + (oh &- r0) &* OW
            let src = plane + ((oh &* sH &+ hOff) &* W &+ wOff)
            if owLo > 0 { fill(out, count: owLo) }
            var ow = owLo
            if sW == 1 {
              while ow < owHi {
                out[ow] = src[ow]
                ow &+= 1
              }
            } else {
              while ow < owHi {
                out[ow] = src[ow &* sW]
                ow &+= 1
              }
            }
            if owHi < OW { fill(out + owHi, count: OW &- owHi) }
            oh &+= 1
          }
          dst += P
        }
      }
    }
  }

  /// Adds the im2col-shaped matrix `cols` of the output rows `rows` (all by default) back onto the
  /// image `dx` (`[channels, H, W]`): every entry is accumulated into the input pixel it was read
  /// from, and entries that came from padding are dropped. This is the adjoint of
  /// ``unfold(_:channels:geometry:rows:into:)``.
  ///
  /// `dx` is accumulated into, not overwritten; zero it first for a fresh gradient.
  public static func fold(
    _ cols: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry, rows: Range<Int>? = nil,
    into dx: UnsafeMutablePointer<Float>
  ) {
    let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
    let (sH, sW) = (g.strideHeight, g.strideWidth)
    let r0 = rows?.lowerBound ?? 0
    let r1 = rows?.upperBound ?? OH
    let P = (r1 &- r0) &* OW
    var src = cols
    for c in 0..<channels {
      let plane = dx + c &* H &* W
      for i in 0..<g.kernelHeight {
        let hOff = i &* g.dilationHeight &- g.paddingHeight
        var (ohLo, ohHi) = WindowGeometry.validRange(offset: hOff, stride: sH, size: H, outputs: OH)
        ohLo = Swift.min(Swift.max(ohLo, r0), r1)
        ohHi = Swift.min(Swift.max(ohHi, ohLo), r1)
        for j in 0..<g.kernelWidth {
          let wOff = j &* g.dilationWidth &- g.paddingWidth
          let (owLo, owHi) = WindowGeometry.validRange(offset: wOff, stride: sW, size: W, outputs: OW)
          var oh = ohLo
          while oh < ohHi {
            let from = src + (oh &- r0) &* OW
            let to = plane + ((oh &* sH &+ hOff) &* W &+ wOff)
            var ow = owLo
            if sW == 1 {
              while ow < owHi {
                to[ow] += from[ow]
                ow &+= 1
              }
            } else {
              while ow < owHi {
                to[ow &* sW] += from[ow]
                ow &+= 1
              }
            }
            oh &+= 1
          }
          src += P
        }
      }
    }
  }

  @inline(__always)
  static func fill(_ p: UnsafeMutablePointer<Float>, count: Int) {
    var k = 0
    while k < count {
      p[k] = 0
      k &+= 1
    }
  }
}
