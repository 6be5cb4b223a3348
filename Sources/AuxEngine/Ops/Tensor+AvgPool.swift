/// 2-D average pooling, differentiable.
extension Tensor {
  /// Average pooling over the spatial dimensions of an `[N, C, H, W]` tensor (PyTorch's
  /// `torch.nn.functional.avg_pool2d`).
  ///
  /// Each output is the sum of its window's in-bounds inputs divided by a count that follows
  /// PyTorch: `divisorOverride` if given; otherwise, with `countIncludePad` (PyTorch's default), the
  /// window size clipped to the padded input (so padding counts, but a `ceilMode` overhang beyond the
  /// padding does not); without it, the number of in-bounds inputs. The backward pass spreads each
  /// output gradient over the same inputs with the same divisor.
  ///
  /// - Parameters:
  ///   - kernelSize: window extent.
  ///   - stride: step between windows; nil means `kernelSize`.
  ///   - padding: implicit zero padding, at most half the kernel size.
  ///   - ceilMode: round the output size up instead of down.
  ///   - countIncludePad: whether zero padding counts in the divisor.
  ///   - divisorOverride: a fixed divisor for every window.
  public func avgPool2d(
    kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, ceilMode: Bool = false,
    countIncludePad: Bool = true, divisorOverride: Int? = nil
  ) -> Tensor {
    precondition(rank == 4, "avgPool2d: input must be [N, C, H, W], got shape \(shape)")
    precondition(
      padding.height <= kernelSize.height / 2 && padding.width <= kernelSize.width / 2,
      "avgPool2d: padding \(padding) must be at most half the kernel size \(kernelSize)")
    if let d = divisorOverride { precondition(d != 0, "avgPool2d: divisorOverride must not be 0") }
    let g = WindowGeometry(
      input: Size2D(shape[2], shape[3]), kernel: kernelSize, stride: stride ?? kernelSize,
      padding: padding, dilation: 1, ceilMode: ceilMode, op: "avgPool2d")
    let planes = shape[0] * shape[1]
    let windows = AveragePoolWindows(geometry: g, countIncludePad: countIncludePad, divisorOverride: divisorOverride)
    var out = Tensor.uninitialized([shape[0], shape[1], g.outputHeight, g.outputWidth])
    withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { yp in
        let (x, y) = (xp.baseAddress!, yp.baseAddress!)
        Parallel.split(planes, work: xp.count + yp.count) { windows.forward(x, planes: $0, into: y) }
      }
    }
    let inShape = shape
    return Tensor.record("avg_pool2d", output: out, inputs: [self]) { gy, _ in
      var gx = Tensor.zeros(inShape)
      gy.withUnsafeBufferPointer { gp in
        gx.withUnsafeMutableBufferPointer { dp in
          let (g, d) = (gp.baseAddress!, dp.baseAddress!)
          Parallel.split(planes, work: dp.count + gp.count) { windows.backward(g, planes: $0, into: d) }
        }
      }
      return [gx]
    }
  }
}

/// The windows of an average pooling, precomputed per output row and column: the in-bounds input
/// range and the divisor. Rows and columns are independent, so a window is a product of the two.
struct AveragePoolWindows {
  let inputHeight: Int, inputWidth: Int
  /// Per output row: first and one-past-last input row, and the row factor of the divisor.
  let rows: [(start: Int, end: Int, count: Int)]
  let columns: [(start: Int, end: Int, count: Int)]
  /// When set, every window divides by this instead of `rowCount · columnCount`.
  let divisor: Int?

  /// PyTorch's avg_pool2d windows.
  init(geometry g: WindowGeometry, countIncludePad: Bool, divisorOverride: Int?) {
    func axis(_ outputs: Int, _ size: Int, _ k: Int, _ s: Int, _ p: Int) -> [(Int, Int, Int)] {
      (0..<outputs).map { o in
        let start = o * s - p
        let end = Swift.min(start + k, size + p)
        let padded = end - start
        let s0 = Swift.max(start, 0)
        let e0 = Swift.min(end, size)
        return (s0, e0, countIncludePad ? padded : Swift.max(e0 - s0, 0))
      }
    }
    inputHeight = g.inputHeight
    inputWidth = g.inputWidth
    rows = axis(g.outputHeight, g.inputHeight, g.kernelHeight, g.strideHeight, g.paddingHeight)
    columns = axis(g.outputWidth, g.inputWidth, g.kernelWidth, g.strideWidth, g.paddingWidth)
    divisor = divisorOverride
  }

  /// PyTorch's adaptive_avg_pool2d windows: start ⌊o·in/out⌋, end ⌈(o+1)·in/out⌉.
  init(adaptiveInput input: Size2D, output: Size2D) {
    func axis(_ inSize: Int, _ outSize: Int) -> [(Int, Int, Int)] {
      (0..<outSize).map { o in
        let start = (o * inSize) / outSize
        let end = ((o + 1) * inSize + outSize - 1) / outSize
        return (start, end, end - start)
      }
    }
    inputHeight = input.height
    inputWidth = input.width
    rows = axis(input.height, output.height)
    columns = axis(input.width, output.width)
    divisor = nil
  }

  /// Pools the planes `planes` of `x` into the same planes of `y`.
  func forward(_ x: UnsafePointer<Float>, planes: Range<Int>, into y: UnsafeMutablePointer<Float>) {
    let (H, W) = (inputHeight, inputWidth)
    var k = planes.lowerBound &* rows.count &* columns.count
    for plane in planes {
      let xp = x + plane &* H &* W
      for r in rows {
        for c in columns {
          var acc: Float = 0
          if r.start < r.end && c.start < c.end {
            for h in r.start..<r.end {
              let row = xp + h &* W
              for w in c.start..<c.end { acc += row[w] }
            }
            y[k] = acc / Float(divisor ?? (r.count &* c.count))
          } else {
            y[k] = 0
          }
          k &+= 1
        }
      }
    }
  }

  /// Spreads the gradient of the planes `planes` of `gy` over the same planes of `gx`.
  func backward(_ gy: UnsafePointer<Float>, planes: Range<Int>, into gx: UnsafeMutablePointer<Float>) {
    let (H, W) = (inputHeight, inputWidth)
    var k = planes.lowerBound &* rows.count &* columns.count
    for plane in planes {
      let dp = gx + plane &* H &* W
      for r in rows {
        for c in columns {
          if r.start < r.end && c.start < c.end {
            let v = gy[k] / Float(divisor ?? (r.count &* c.count))
            for h in r.start..<r.end {
              let row = dp + h &* W
              for w in c.start..<c.end { row[w] += v }
            }
          }
          k &+= 1
        }
      }
    }
  }
}
