/// 2-D max pooling, differentiable.
extension Tensor {
  /// Max pooling over the spatial dimensions of an `[N, C, H, W]` tensor (PyTorch's
  /// `torch.nn.functional.max_pool2d`).
  ///
  /// Each output is the maximum of its window; padding counts as −∞, so it never wins. As in
  /// PyTorch, NaN propagates, ties go to the first maximal element in row-major window order, and a
  /// window whose values are all −∞ selects its first in-bounds element. The position of each
  /// maximum is saved, and the backward pass routes each output gradient to it (adding where
  /// windows overlap).
  ///
  /// - Parameters:
  ///   - kernelSize: window extent.
  ///   - stride: step between windows; nil means `kernelSize` (PyTorch's default).
  ///   - padding: implicit −∞ padding, at most half the kernel size.
  ///   - dilation: spacing between window taps.
  ///   - ceilMode: round the output size up instead of down (PyTorch's `ceil_mode`).
  public func maxPool2d(
    kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1,
    ceilMode: Bool = false
  ) -> Tensor {
    precondition(rank == 4, "maxPool2d: input must be [N, C, H, W], got shape \(shape)")
    precondition(
      padding.height <= kernelSize.height / 2 && padding.width <= kernelSize.width / 2,
      "maxPool2d: padding \(padding) must be at most half the kernel size \(kernelSize)")
    let g = WindowGeometry(
      input: Size2D(shape[2], shape[3]), kernel: kernelSize, stride: stride ?? kernelSize,
      padding: padding, dilation: dilation, ceilMode: ceilMode, op: "maxPool2d")
    let planes = shape[0] * shape[1]
    var out = Tensor.uninitialized([shape[0], shape[1], g.outputHeight, g.outputWidth])
    // Index of each maximum within its input plane.
    var argmax = [Int32](repeating: 0, count: planes * g.outputPlane)
    precondition(g.inputPlane <= Int(Int32.max), "maxPool2d: input planes of \(g.inputPlane) pixels are too large")
    withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { yp in
        argmax.withUnsafeMutableBufferPointer { ap in
          let (x, y, a) = (xp.baseAddress!, yp.baseAddress!, ap.baseAddress!)
          Parallel.split(planes, work: xp.count + yp.count) { range in
            PoolKernels.maxForward(x, planes: range, geometry: g, output: y, argmax: a)
          }
        }
      }
    }
    let inShape = shape
    return Tensor.record("max_pool2d", output: out, inputs: [self]) { gy, _ in
      var gx = Tensor.zeros(inShape)
      gy.withUnsafeBufferPointer { gp in
        gx.withUnsafeMutableBufferPointer { dp in
          argmax.withUnsafeBufferPointer { ap in
            let G = gp.baseAddress!
            let D = dp.baseAddress!
            let A = ap.baseAddress!
            let P = g.outputPlane
            Parallel.split(planes, work: dp.count + gp.count) { range in
              for plane in range {
                let d = D + plane * g.inputPlane
                let gpl = G + plane * P
                let apl = A + plane * P
                for k in 0..<P { d[Int(apl[k])] += gpl[k] }
              }
            }
          }
        }
      }
      return [gx]
    }
  }
}

/// Pointer kernels for pooling.
public enum PoolKernels {
  /// Max pooling of the `H×W` planes `planes` of `x`; writes the maxima and their in-plane indices
  /// into the same planes of `y` and `argmax`.
  public static func maxForward(
    _ x: UnsafePointer<Float>, planes: Range<Int>, geometry g: WindowGeometry,
    output y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
  ) {
    let (H, W, OH, OW) = (g.inputHeight, g.inputWidth, g.outputHeight, g.outputWidth)
    for plane in planes {
      let xp = x + plane &* H &* W
      var k = plane &* OH &* OW
      for oh in 0..<OH {
        var h0 = oh &* g.strideHeight &- g.paddingHeight
        let hEnd = Swift.min(h0 &+ (g.kernelHeight &- 1) &* g.dilationHeight &+ 1, H)
        while h0 < 0 { h0 &+= g.dilationHeight }
        for ow in 0..<OW {
          var w0 = ow &* g.strideWidth &- g.paddingWidth
          let wEnd = Swift.min(w0 &+ (g.kernelWidth &- 1) &* g.dilationWidth &+ 1, W)
          while w0 < 0 { w0 &+= g.dilationWidth }
          var best = -Float.infinity
          var bestIndex = h0 &* W &+ w0
          var h = h0
          while h < hEnd {
            var w = w0
            while w < wEnd {
              let idx = h &* W &+ w
              let v = xp[idx]
              if v > best || v.isNaN {
                best = v
                bestIndex = idx
              }
              w &+= g.dilationWidth
            }
            h &+= g.dilationHeight
          }
          y[k] = best
          argmax[k] = Int32(truncatingIfNeeded: bestIndex)
          k &+= 1
        }
      }
    }
  }
}
