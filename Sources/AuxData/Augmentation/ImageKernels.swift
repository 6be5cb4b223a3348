import AuxEngine

/// Spatial kernels on `[C, H, W]` (or `[H, W]`) tensors for data augmentation and dataset
/// construction: padded crops, flips, 90° rotations and resizing.
///
/// They run on raw pointers and record nothing for autodiff (inputs are data, not parameters).
public enum ImageKernels {
  /// How pixels outside the image are filled by ``crop(_:top:left:height:width:padding:)``.
  public enum Padding: Sendable, Equatable {
    /// One value for every channel.
    case constant(Float)
    /// One value per channel.
    case perChannel([Float])
    /// Mirror without repeating the edge pixel (NumPy/PyTorch `"reflect"`: index −1 reads 1).
    case reflect
  }

  @inline(__always)
  static func dims(_ x: Tensor, _ op: String) -> (c: Int, h: Int, w: Int) {
    switch x.rank {
    case 2: return (1, x.shape[0], x.shape[1])
    case 3: return (x.shape[0], x.shape[1], x.shape[2])
    default: preconditionFailure("\(op): expected a [C, H, W] or [H, W] tensor, got shape \(x.shape)")
    }
  }

  @inline(__always)
  static func outShape(_ x: Tensor, _ c: Int, _ h: Int, _ w: Int) -> [Int] {
    x.rank == 2 ? [h, w] : [c, h, w]
  }

  /// Reflects index `i` into `0..<n` (period 2(n−1)); `n == 1` maps everything to 0.
  @inline(__always)
  static func reflectIndex(_ i: Int, _ n: Int) -> Int {
    if n == 1 { return 0 }
    let period = 2 * (n - 1)
    var m = i % period
    if m < 0 { m += period }
    return m < n ? m : period - m
  }

  /// The `height × width` window whose top-left corner is at (`top`, `left`) of `x`; the window
  /// may extend past any edge (negative `top`/`left` included), and those pixels are filled by
  /// `padding`. Equivalent to padding then cropping (torchvision `RandomCrop(padding=…)`).
  public static func crop(_ x: Tensor, top: Int, left: Int, height: Int, width: Int, padding: Padding) -> Tensor {
    let (c, h, w) = dims(x, "ImageKernels.crop")
    precondition(height >= 0 && width >= 0, "ImageKernels.crop: window \(height)x\(width) must not be negative (input \(x.shape))")
    if case .perChannel(let v) = padding {
      precondition(v.count == c, "ImageKernels.crop: \(v.count) padding values for \(c) channels (input \(x.shape))")
    }
    precondition(padding != .reflect || (h > 0 && w > 0), "ImageKernels.crop: cannot reflect-pad an empty image \(x.shape)")
    var out = Tensor.uninitialized(outShape(x, c, height, width))
    let pads: [Float]
    switch padding {
    case .constant(let v): pads = [Float](repeating: v, count: c)
    case .perChannel(let v): pads = v
    case .reflect: pads = []
    }
    let reflect = padding == .reflect
    // Source column of each output column (−1: outside, constant-padded).
    var cols = [Int](repeating: -1, count: width)
    for ox in 0..<width {
      let sx = left + ox
      cols[ox] = reflect ? reflectIndex(sx, w) : (sx >= 0 && sx < w ? sx : -1)
    }
    x.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        cols.withUnsafeBufferPointer { colp in
          for ch in 0..<c {
            let sp = src.baseAddress! + ch * h * w
            let dp = dst.baseAddress! + ch * height * width
            let pad = reflect ? 0 : pads[ch]
            for oy in 0..<height {
              let sy0 = top + oy
              let sy = reflect ? reflectIndex(sy0, h) : (sy0 >= 0 && sy0 < h ? sy0 : -1)
              let drow = dp + oy * width
              if sy < 0 {
                for ox in 0..<width { drow[ox] = pad }
                continue
              }
              let srow = sp + sy * w
              for ox in 0..<width {
                let sx = colp[ox]
                drow[ox] = sx >= 0 ? srow[sx] : pad
              }
            }
          }
        }
      }
    }
    return out
  }

  /// A channels-last `[H, W, C]` array as `[C, H, W]` (`numpy.moveaxis(x, -1, 0)`); a `[H, W]`
  /// array becomes `[1, H, W]`.
  public static func channelsFirst(_ x: Tensor) -> Tensor {
    if x.rank == 2 { return x.reshaped([1, x.shape[0], x.shape[1]]) }
    precondition(x.rank == 3, "ImageKernels.channelsFirst: expected [H, W, C] or [H, W], got \(x.shape)")
    let h = x.shape[0], w = x.shape[1], c = x.shape[2], plane = h * w
    var out = Tensor.uninitialized([c, h, w])
    x.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        let s = src.baseAddress!, d = dst.baseAddress!
        for i in 0..<plane {
          for ch in 0..<c { d[ch * plane + i] = s[i * c + ch] }
        }
      }
    }
    return out
  }

  /// `x` mirrored left to right (torchvision `hflip`, `torch.flip(x, dims=[-1])`).
  public static func flipHorizontal(_ x: Tensor) -> Tensor {
    let (c, h, w) = dims(x, "ImageKernels.flipHorizontal")
    var out = Tensor.uninitialized(x.shape)
    x.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for r in 0..<(c * h) {
          let s = src.baseAddress! + r * w
          let d = dst.baseAddress! + r * w
          for i in 0..<w { d[i] = s[w - 1 - i] }
        }
      }
    }
    return out
  }

  /// `x` rotated by `k`·90° counter-clockwise in the image plane (`numpy.rot90(x, k, axes=(-2, -1))`,
  /// `torch.rot90(x, k, dims=[-2, -1])`). Odd `k` swaps height and width.
  public static func rotate90(_ x: Tensor, k: Int) -> Tensor {
    let (c, h, w) = dims(x, "ImageKernels.rotate90")
    let q = ((k % 4) + 4) % 4
    let (oh, ow) = q % 2 == 0 ? (h, w) : (w, h)
    var out = Tensor.uninitialized(outShape(x, c, oh, ow))
    x.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for ch in 0..<c {
          let s = src.baseAddress! + ch * h * w
          let d = dst.baseAddress! + ch * h * w
          for i in 0..<oh {
            for j in 0..<ow {
              // out[i, j] = in[...] for a counter-clockwise rotation by q quarter turns.
              let v: Float
              switch q {
              case 0: v = s[i * w + j]
              case 1: v = s[j * w + (w - 1 - i)]
              case 2: v = s[(h - 1 - i) * w + (w - 1 - j)]
              default: v = s[(h - 1 - j) * w + i]
              }
              d[i * ow + j] = v
            }
          }
        }
      }
    }
    return out
  }

  /// Resampling rules of ``resize(_:top:left:height:width:toHeight:toWidth:mode:)``.
  public enum ResizeMode: Sendable, Equatable {
    /// PyTorch `F.interpolate(mode="nearest")`: source index `min(floor(i · in/out), in − 1)`,
    /// with the scale computed in `Float` as PyTorch's CPU kernel does.
    case nearest
    /// PyTorch `F.interpolate(mode="bilinear", align_corners=True)`: corners map to corners.
    case bilinearAlignCorners
  }

  /// The window (`top`, `left`, `height`, `width`) of `x`, resized to `toHeight × toWidth`.
  /// The window must lie inside the image.
  public static func resize(
    _ x: Tensor, top: Int = 0, left: Int = 0, height: Int? = nil, width: Int? = nil,
    toHeight: Int, toWidth: Int, mode: ResizeMode
  ) -> Tensor {
    let (c, h, w) = dims(x, "ImageKernels.resize")
    let ih = height ?? h, iw = width ?? w
    precondition(top >= 0 && left >= 0 && ih > 0 && iw > 0 && top + ih <= h && left + iw <= w,
      "ImageKernels.resize: window (top \(top), left \(left), \(ih)x\(iw)) is not inside the image \(x.shape)")
    precondition(toHeight > 0 && toWidth > 0, "ImageKernels.resize: output size \(toHeight)x\(toWidth) must be positive")
    var out = Tensor.uninitialized(outShape(x, c, toHeight, toWidth))
    switch mode {
    case .nearest:
      let ys = (0..<toHeight).map { top + nearestIndex($0, ih, toHeight) }
      let xs = (0..<toWidth).map { left + nearestIndex($0, iw, toWidth) }
      x.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
          ys.withUnsafeBufferPointer { yp in
            xs.withUnsafeBufferPointer { xp in
              for ch in 0..<c {
                let s = src.baseAddress! + ch * h * w
                let d = dst.baseAddress! + ch * toHeight * toWidth
                for oy in 0..<toHeight {
                  let srow = s + yp[oy] * w
                  let drow = d + oy * toWidth
                  for ox in 0..<toWidth { drow[ox] = srow[xp[ox]] }
                }
              }
            }
          }
        }
      }
    case .bilinearAlignCorners:
      let (y0, y1, ly) = bilinearTaps(ih, toHeight)
      let (x0, x1, lx) = bilinearTaps(iw, toWidth)
      x.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
          for ch in 0..<c {
            let s = src.baseAddress! + ch * h * w + top * w + left
            let d = dst.baseAddress! + ch * toHeight * toWidth
            for oy in 0..<toHeight {
              let r0 = s + y0[oy] * w, r1 = s + y1[oy] * w
              let b = ly[oy], a = 1 - b
              let drow = d + oy * toWidth
              for ox in 0..<toWidth {
                let q = lx[ox], p = 1 - q
                let i0 = x0[ox], i1 = x1[ox]
                drow[ox] = a * (p * r0[i0] + q * r0[i1]) + b * (p * r1[i0] + q * r1[i1])
              }
            }
          }
        }
      }
    }
    return out
  }

  /// PyTorch's `nearest_idx` for the legacy `"nearest"` mode.
  @inline(__always)
  static func nearestIndex(_ o: Int, _ inSize: Int, _ outSize: Int) -> Int {
    if inSize == outSize { return o }
    if outSize == 2 * inSize { return o >> 1 }
    let scale = Float(inSize) / Float(outSize)
    return min(Int((Float(o) * scale).rounded(.down)), inSize - 1)
  }

  /// Source taps and weights of PyTorch's bilinear `align_corners=True` along one axis.
  static func bilinearTaps(_ inSize: Int, _ outSize: Int) -> ([Int], [Int], [Float]) {
    let scale: Float = outSize > 1 ? Float(inSize - 1) / Float(outSize - 1) : 0
    var i0 = [Int](repeating: 0, count: outSize)
    var i1 = [Int](repeating: 0, count: outSize)
    var l = [Float](repeating: 0, count: outSize)
    for o in 0..<outSize {
      let real = scale * Float(o)
      let lo = min(Int(real), inSize - 1)
      i0[o] = lo
      i1[o] = lo + (lo < inSize - 1 ? 1 : 0)
      l[o] = real - Float(lo)
    }
    return (i0, i1, l)
  }
}
