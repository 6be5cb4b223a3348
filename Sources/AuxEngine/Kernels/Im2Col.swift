/// Pointer kernels that unfold an image into the im2col matrix of a convolution and fold such a
/// matrix back (col2im), with stride, padding and dilation handled natively.
///
/// For one image `x` of shape `[C, H, W]`, the im2col matrix has shape `[C·kH·kW, OH·OW]`: row
/// `(c·kH + i)·kW + j` holds, for every output position `(oh, ow)`, the input pixel
/// `x[c, oh·sH − pH + i·dH, ow·sW − pW + j·dW]`, or 0 where that lies in the padding. This is the row
/// order of a PyTorch weight `[O, C, kH, kW]` viewed as `[O, C·kH·kW]`, so a convolution is one GEMM
/// per image and its output is already NCHW.
public enum Im2Col {
  /// Writes the im2col matrix of one image `x` (`[channels, H, W]`) into `cols`
  /// (`[channels·kH·kW, OH·OW]`, fully overwritten).
  ///
  /// Rows are built from runs: the valid output columns of a row are found once per kernel tap,
  /// so the inner loop is a contiguous copy when the stride is 1 and a strided gather otherwise.
  public static func unfold(
    _ x: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry,
    into cols: UnsafeMutablePointer<Float>
  ) {
    let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
    let (sH, sW) = (g.strideHeight, g.strideWidth)
    let P = OH &* OW
    var dst = cols
    for c in 0..<channels {
      let plane = x + c &* H &* W
      for i in 0..<g.kernelHeight {
        let hOff = i &* g.dilationHeight &- g.paddingHeight
        let (ohLo, ohHi) = WindowGeometry.validRange(offset: hOff, stride: sH, size: H, outputs: OH)
        for j in 0..<g.kernelWidth {
          let wOff = j &* g.dilationWidth &- g.paddingWidth
          let (owLo, owHi) = WindowGeometry.validRange(offset: wOff, stride: sW, size: W, outputs: OW)
          // Rows of the output that read only padding.
          if ohLo > 0 { dst.update(repeating: 0, count: ohLo &* OW) }
          if ohHi < OH { (dst + ohHi &* OW).update(repeating: 0, count: (OH &- ohHi) &* OW) }
          let run = owHi &- owLo
          var oh = ohLo
          while oh < ohHi {
            let out = dst + oh &* OW
            let src = plane + ((oh &* sH &+ hOff) &* W &+ wOff)
            if owLo > 0 { out.update(repeating: 0, count: owLo) }
            if sW == 1 {
              (out + owLo).update(from: src + owLo, count: run)
            } else {
              var ow = owLo
              while ow < owHi {
                out[ow] = src[ow &* sW]
                ow &+= 1
              }
            }
            if owHi < OW { (out + owHi).update(repeating: 0, count: OW &- owHi) }
            oh &+= 1
          }
          dst += P
        }
      }
    }
  }

  /// Adds the im2col-shaped matrix `cols` (`[channels·kH·kW, OH·OW]`) back onto the image `dx`
  /// (`[channels, H, W]`): every entry is accumulated into the input pixel it was read from, and
  /// entries that came from padding are dropped. This is the adjoint of ``unfold(_:channels:geometry:into:)``.
  ///
  /// `dx` is accumulated into, not overwritten; zero it first for a fresh gradient.
  public static func fold(
    _ cols: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry,
    into dx: UnsafeMutablePointer<Float>
  ) {
    let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
    let (sH, sW) = (g.strideHeight, g.strideWidth)
    let P = OH &* OW
    var src = cols
    for c in 0..<channels {
      let plane = dx + c &* H &* W
      for i in 0..<g.kernelHeight {
        let hOff = i &* g.dilationHeight &- g.paddingHeight
        let (ohLo, ohHi) = WindowGeometry.validRange(offset: hOff, stride: sH, size: H, outputs: OH)
        for j in 0..<g.kernelWidth {
          let wOff = j &* g.dilationWidth &- g.paddingWidth
          let (owLo, owHi) = WindowGeometry.validRange(offset: wOff, stride: sW, size: W, outputs: OW)
          var oh = ohLo
          while oh < ohHi {
            let from = src + oh &* OW
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
}
