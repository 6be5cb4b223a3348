/// Bilinear resizing of images, differentiable.
extension Tensor {
  /// Resizes an `[N, C, H, W]` tensor to `size` by bilinear interpolation (PyTorch's
  /// `torch.nn.functional.interpolate(mode="bilinear", size=...)`).
  ///
  /// Output pixel `o` along an axis reads input position `src`:
  /// - `alignCorners == true`: `src = o · (in − 1) / (out − 1)` (0 when `out == 1`): the corner
  ///   pixels of input and output coincide;
  /// - `alignCorners == false` (PyTorch's default): `src = max((o + 0.5) · in / out − 0.5, 0)`:
  ///   pixel areas coincide, and positions left of the first pixel's centre clamp to it.
  ///
  /// then blends input pixels `⌊src⌋` and `⌊src⌋ + 1` (clamped at the last pixel) with weights
  /// `1 − frac` and `frac`. An axis whose size does not change is copied. Works for up- and
  /// downsampling; the backward pass scatters each output gradient back with the same weights.
  public func upsampleBilinear2d(size: Size2D, alignCorners: Bool = false) -> Tensor {
    resizeBilinear(size: size, scales: (nil, nil), alignCorners: alignCorners)
  }

  /// Resizes an `[N, C, H, W]` tensor by `scaleFactor` (height, width) with bilinear interpolation
  /// (PyTorch's `interpolate(mode="bilinear", scale_factor=...)` with the default
  /// `recompute_scale_factor=None`).
  ///
  /// The output size is `⌊in · scale⌋`; with `alignCorners == false` the source index uses
  /// `1 / scale` as the ratio, exactly as PyTorch does (this differs from `in / out` when the scale
  /// is not a whole number). See ``upsampleBilinear2d(size:alignCorners:)`` for the formulas.
  public func upsampleBilinear2d(scaleFactor: (height: Double, width: Double), alignCorners: Bool = false) -> Tensor {
    precondition(rank == 4, "upsampleBilinear2d: input must be [N, C, H, W], got shape \(shape)")
    precondition(
      scaleFactor.height > 0 && scaleFactor.width > 0,
      "upsampleBilinear2d: scale factors must be positive, got \(scaleFactor)")
    let size = Size2D(
      Int((Double(shape[2]) * scaleFactor.height).rounded(.down)),
      Int((Double(shape[3]) * scaleFactor.width).rounded(.down)))
    return resizeBilinear(size: size, scales: (scaleFactor.height, scaleFactor.width), alignCorners: alignCorners)
  }

  /// Resizes an `[N, C, H, W]` tensor by the same `scaleFactor` along height and width (output size
  /// `⌊in · scale⌋`, source ratio `1 / scale`), as PyTorch's `interpolate(scale_factor=s)`.
  public func upsampleBilinear2d(scaleFactor: Double, alignCorners: Bool = false) -> Tensor {
    upsampleBilinear2d(scaleFactor: (scaleFactor, scaleFactor), alignCorners: alignCorners)
  }

  private func resizeBilinear(size: Size2D, scales: (Double?, Double?), alignCorners: Bool) -> Tensor {
    precondition(rank == 4, "upsampleBilinear2d: input must be [N, C, H, W], got shape \(shape)")
    precondition(
      size.height > 0 && size.width > 0 && shape[2] > 0 && shape[3] > 0,
      "upsampleBilinear2d: input \(shape) and output size \(size) must have positive spatial sizes")
    let rows = BilinearTaps(input: shape[2], output: size.height, scale: scales.0, alignCorners: alignCorners)
    let cols = BilinearTaps(input: shape[3], output: size.width, scale: scales.1, alignCorners: alignCorners)
    let planes = shape[0] * shape[1]
    var out = Tensor.uninitialized([shape[0], shape[1], size.height, size.width])
    withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { yp in
        let (x, y) = (xp.baseAddress!, yp.baseAddress!)
        Parallel.split(planes, work: yp.count) { range in
          BilinearKernels.forward(x, planes: range, rows: rows, columns: cols, into: y)
        }
      }
    }
    let inShape = shape
    return Tensor.record("upsample_bilinear2d", output: out, inputs: [self]) { gy, _ in
      var gx = Tensor.zeros(inShape)
      gy.withUnsafeBufferPointer { gp in
        gx.withUnsafeMutableBufferPointer { dp in
          let (g, d) = (gp.baseAddress!, dp.baseAddress!)
          Parallel.split(planes, work: gp.count) { range in
            BilinearKernels.backward(g, planes: range, rows: rows, columns: cols, into: d)
          }
        }
      }
      return [gx]
    }
  }
}

/// The two source taps and weights of every output index along one axis of a bilinear resize,
/// computed with PyTorch's formulas (`area_pixel_compute_scale`, `area_pixel_compute_source_index`,
/// `guard_index_and_lambda`) in Float, as PyTorch does for Float tensors.
struct BilinearTaps: Sendable {
  let inputSize: Int
  let outputSize: Int
  let index0: [Int]
  let index1: [Int]
  let lambda0: [Float]
  let lambda1: [Float]

  init(input: Int, output: Int, scale: Double?, alignCorners: Bool) {
    inputSize = input
    outputSize = output
    var i0 = [Int](repeating: 0, count: output)
    var i1 = [Int](repeating: 0, count: output)
    var l0 = [Float](repeating: 1, count: output)
    var l1 = [Float](repeating: 0, count: output)
    if input == output {
      for o in 0..<output {
        i0[o] = o
        i1[o] = o
      }
    } else {
      let ratio: Float
      if alignCorners {
        ratio = output > 1 ? Float(input - 1) / Float(output - 1) : 0
      } else if let s = scale, s > 0 {
        ratio = Float(1.0 / s)
      } else {
        ratio = Float(input) / Float(output)
      }
      for o in 0..<output {
        var src: Float
        if alignCorners {
          src = ratio * Float(o)
        } else {
          src = ratio * (Float(o) + 0.5) - 0.5
          if src < 0 { src = 0 }
        }
        let idx = Swift.min(Int(src.rounded(.down)), input - 1)
        let lambda = Swift.min(Swift.max(src - Float(idx), 0), 1)
        i0[o] = idx
        i1[o] = idx + (idx < input - 1 ? 1 : 0)
        l1[o] = lambda
        l0[o] = 1 - lambda
      }
    }
    index0 = i0
    index1 = i1
    lambda0 = l0
    lambda1 = l1
  }
}

/// Pointer kernels for bilinear resizing over consecutive planes.
enum BilinearKernels {
  /// Resizes the planes `planes` of `x` into the same planes of `y`.
  static func forward(
    _ x: UnsafePointer<Float>, planes: Range<Int>, rows: BilinearTaps, columns: BilinearTaps,
    into y: UnsafeMutablePointer<Float>
  ) {
    let (H, W, OH, OW) = (rows.inputSize, columns.inputSize, rows.outputSize, columns.outputSize)
    columns.index0.withUnsafeBufferPointer { c0 in
      columns.index1.withUnsafeBufferPointer { c1 in
        columns.lambda0.withUnsafeBufferPointer { cl0 in
          columns.lambda1.withUnsafeBufferPointer { cl1 in
            var out = y + planes.lowerBound &* OH &* OW
            for plane in planes {
              let xp = x + plane &* H &* W
              for oh in 0..<OH {
                let r0 = xp + rows.index0[oh] &* W
                let r1 = xp + rows.index1[oh] &* W
                let h0 = rows.lambda0[oh]
                let h1 = rows.lambda1[oh]
                for ow in 0..<OW {
                  let a = c0[ow]
                  let b = c1[ow]
                  out[ow] = h0 * (cl0[ow] * r0[a] + cl1[ow] * r0[b]) + h1 * (cl0[ow] * r1[a] + cl1[ow] * r1[b])
                }
                out += OW
              }
            }
          }
        }
      }
    }
  }

  /// Scatters the gradient of the planes `planes` of `gy` onto the same planes of `gx`.
  static func backward(
    _ gy: UnsafePointer<Float>, planes: Range<Int>, rows: BilinearTaps, columns: BilinearTaps,
    into gx: UnsafeMutablePointer<Float>
  ) {
    let (H, W, OH, OW) = (rows.inputSize, columns.inputSize, rows.outputSize, columns.outputSize)
    columns.index0.withUnsafeBufferPointer { c0 in
      columns.index1.withUnsafeBufferPointer { c1 in
        columns.lambda0.withUnsafeBufferPointer { cl0 in
          columns.lambda1.withUnsafeBufferPointer { cl1 in
            var g = gy + planes.lowerBound &* OH &* OW
            for plane in planes {
              let dp = gx + plane &* H &* W
              for oh in 0..<OH {
                let r0 = dp + rows.index0[oh] &* W
                let r1 = dp + rows.index1[oh] &* W
                let h0 = rows.lambda0[oh]
                let h1 = rows.lambda1[oh]
                for ow in 0..<OW {
                  let v = g[ow]
                  let a = c0[ow]
                  let b = c1[ow]
                  let va = cl0[ow] * v
                  let vb = cl1[ow] * v
                  r0[a] += h0 * va
                  r0[b] += h0 * vb
                  r1[a] += h1 * va
                  r1[b] += h1 * vb
                }
                g += OW
              }
            }
          }
        }
      }
    }
  }
}
