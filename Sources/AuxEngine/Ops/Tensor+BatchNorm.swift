/// Batch normalisation of image tensors as one fused, differentiable op.
extension Tensor {
  /// Batch normalisation of an `[N, C, H, W]` tensor with running statistics (PyTorch's
  /// `torch.nn.functional.batch_norm` with `running_mean` and `running_var` given).
  ///
  /// - Training (`training == true`): each channel is normalised with the mean and the *biased*
  ///   variance of its `N·H·W` values, `y = (x − mean) / √(var + eps) · weight + bias`; then the
  ///   running statistics are updated in place as PyTorch does:
  ///   `running = (1 − momentum) · running + momentum · batch`, where the batch variance is the
  ///   *unbiased* one (`var · M / (M − 1)`, `M = N·H·W`). Gradients flow through the batch
  ///   statistics. Needs `M > 1`.
  /// - Evaluation: the running statistics normalise and are left unchanged; they are constants for
  ///   the gradient.
  ///
  /// The forward pass reads the input twice (statistics, output) and the backward pass reads it and
  /// the upstream gradient twice (two per-channel sums, then the closed-form input gradient).
  ///
  /// - Parameters:
  ///   - weight: per-channel scale `[C]` (γ), or nil for 1 (PyTorch's `affine=False`).
  ///   - bias: per-channel shift `[C]` (β), or nil for 0.
  ///   - runningMean: `[C]`, updated in training mode.
  ///   - runningVariance: `[C]`, updated in training mode.
  ///   - training: use batch statistics and update the running ones.
  ///   - momentum: weight of the new batch in the running statistics (PyTorch default 0.1).
  ///   - eps: added to the variance before the square root (PyTorch default 1e-5).
  public func batchNorm2d(
    weight: Tensor?, bias: Tensor?, runningMean: inout Tensor, runningVariance: inout Tensor,
    training: Bool, momentum: Float = 0.1, eps: Float = 1e-5
  ) -> Tensor {
    precondition(rank == 4, "batchNorm2d: input must be [N, C, H, W], got shape \(shape)")
    let C = shape[1]
    precondition(
      runningMean.shape == [C] && runningVariance.shape == [C],
      "batchNorm2d: running statistics must have shape [\(C)], got \(runningMean.shape) and \(runningVariance.shape) for input \(shape)"
    )
    if training {
      let (out, stats) = batchNormTraining(weight: weight, bias: bias, eps: eps)
      let M = Float(shape[0] * shape[2] * shape[3])
      let unbias = M / (M - 1)
      runningMean.withUnsafeMutableBufferPointer { rm in
        runningVariance.withUnsafeMutableBufferPointer { rv in
          for c in 0..<C {
            rm[c] = (1 - momentum) * rm[c] + momentum * stats.mean[c]
            rv[c] = (1 - momentum) * rv[c] + momentum * stats.variance[c] * unbias
          }
        }
      }
      return out
    }
    let mean = runningMean.scalars
    let invstd = runningVariance.scalars.map { 1 / ($0 + eps).squareRoot() }
    return batchNormApply(
      weight: weight, bias: bias, mean: mean, invstd: invstd, batchStatistics: false)
  }

  /// Batch normalisation of an `[N, C, H, W]` tensor with the batch's own statistics and no
  /// running statistics (PyTorch's `batch_norm` with `training=True` and no running buffers, as
  /// used by `BatchNorm2d(track_running_stats=False)`). See
  /// ``batchNorm2d(weight:bias:runningMean:runningVariance:training:momentum:eps:)``.
  public func batchNorm2d(weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5) -> Tensor {
    precondition(rank == 4, "batchNorm2d: input must be [N, C, H, W], got shape \(shape)")
    return batchNormTraining(weight: weight, bias: bias, eps: eps).0
  }

  private func batchNormTraining(weight: Tensor?, bias: Tensor?, eps: Float) -> (
    Tensor, (mean: [Float], variance: [Float])
  ) {
    let (N, C, HW) = (shape[0], shape[1], shape[2] * shape[3])
    precondition(
      N * HW > 1,
      "batchNorm2d: training needs more than one value per channel, got input of shape \(shape)")
    var mean = [Float](repeating: 0, count: C)
    var variance = [Float](repeating: 0, count: C)
    withUnsafeBufferPointer { xp in
      mean.withUnsafeMutableBufferPointer { mp in
        variance.withUnsafeMutableBufferPointer { vp in
          BatchNormKernels.statistics(
            xp.baseAddress!, batch: N, channels: C, plane: HW, mean: mp.baseAddress!,
            variance: vp.baseAddress!)
        }
      }
    }
    let invstd = variance.map { 1 / ($0 + eps).squareRoot() }
    let out = batchNormApply(
      weight: weight, bias: bias, mean: mean, invstd: invstd, batchStatistics: true)
    return (out, (mean, variance))
  }

  /// `y = (x − mean) · invstd · weight + bias`, recorded with the backward pass for batch or fixed
  /// statistics.
  private func batchNormApply(
    weight: Tensor?, bias: Tensor?, mean: [Float], invstd: [Float], batchStatistics: Bool
  ) -> Tensor {
    let (N, C, HW) = (shape[0], shape[1], shape[2] * shape[3])
    if let weight {
      precondition(
        weight.shape == [C],
        "batchNorm2d: weight must have shape [\(C)], got \(weight.shape) for input \(shape)")
    }
    if let bias {
      precondition(
        bias.shape == [C],
        "batchNorm2d: bias must have shape [\(C)], got \(bias.shape) for input \(shape)")
    }
    let gamma = weight?.scalars ?? [Float](repeating: 1, count: C)
    let beta = bias?.scalars ?? [Float](repeating: 0, count: C)
    var scale = [Float](repeating: 0, count: C)
    for c in 0..<C { scale[c] = gamma[c] * invstd[c] }
    var out = Tensor.uninitialized(shape)
    withUnsafeBufferPointer { xp in
      out.withUnsafeMutableBufferPointer { yp in
        BatchNormKernels.normalize(
          xp.baseAddress!, batch: N, channels: C, plane: HW, mean: mean, scale: scale, shift: beta,
          into: yp.baseAddress!)
      }
    }
    var inputs = [self]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let x = detached()
    let hasWeight = weight != nil
    let hasBias = bias != nil
    return Tensor.record(
      batchStatistics ? "batch_norm2d" : "batch_norm2d_eval", output: out, inputs: inputs
    ) { gy, need in
      var sumDy = [Float](repeating: 0, count: C)
      var sumDyXhat = [Float](repeating: 0, count: C)
      let needWeight = hasWeight && need[1]
      let needBias = hasBias && need[hasWeight ? 2 : 1]
      if (batchStatistics && need[0]) || needWeight || needBias {
        gy.withUnsafeBufferPointer { gp in
          x.withUnsafeBufferPointer { xp in
            sumDy.withUnsafeMutableBufferPointer { a in
              sumDyXhat.withUnsafeMutableBufferPointer { b in
                BatchNormKernels.gradientSums(
                  gp.baseAddress!, x: xp.baseAddress!, batch: N, channels: C, plane: HW, mean: mean,
                  invstd: invstd,
                  sumDy: a.baseAddress!, sumDyXhat: b.baseAddress!)
              }
            }
          }
        }
      }
      var gx: Tensor? = nil
      if need[0] {
        // Batch statistics: dx = γ·invstd · (dy − Σdy/M − x̂ · Σ(dy·x̂)/M), with x̂ = (x − mean)·invstd,
        // i.e. k1·dy + k2·(x − mean) + k3. Fixed statistics: dx = γ·invstd · dy.
        let M = Float(N * HW)
        var k1 = [Float](repeating: 0, count: C)
        var k2 = [Float](repeating: 0, count: C)
        var k3 = [Float](repeating: 0, count: C)
        for c in 0..<C {
          k1[c] = gamma[c] * invstd[c]
          if batchStatistics {
            k2[c] = -k1[c] * invstd[c] * sumDyXhat[c] / M
            k3[c] = -k1[c] * sumDy[c] / M
          }
        }
        var r = Tensor.uninitialized(x.shape)
        gy.withUnsafeBufferPointer { gp in
          x.withUnsafeBufferPointer { xp in
            r.withUnsafeMutableBufferPointer { rp in
              k1.withUnsafeBufferPointer { a in
                k2.withUnsafeBufferPointer { b in
                  k3.withUnsafeBufferPointer { c in
                    BatchNormKernels.inputGradient(
                      gp.baseAddress!, x: xp.baseAddress!, batch: N, channels: C, plane: HW,
                      mean: mean,
                      k1: a.baseAddress!, k2: b.baseAddress!, k3: c.baseAddress!,
                      into: rp.baseAddress!)
                  }
                }
              }
            }
          }
        }
        gx = r
      }
      var grads: [Tensor?] = [gx]
      if hasWeight { grads.append(needWeight ? Tensor(shape: [C], scalars: sumDyXhat) : nil) }
      if hasBias { grads.append(needBias ? Tensor(shape: [C], scalars: sumDy) : nil) }
      return grads
    }
  }
}

/// Pointer kernels for batch normalisation over `[N, C, plane]` data. Channel `c` of image `n` is
/// the contiguous plane at offset `(n·C + c)·plane`.
public enum BatchNormKernels {
  /// Per-channel mean and biased variance over `N·plane` values each.
  ///
  /// One pass over the data: sums of `x − shift` and its square, with `shift` the channel's first
  /// value (which removes the cancellation of the naive formula), in Float SIMD lanes per plane and
  /// Double across planes.
  public static func statistics(
    _ x: UnsafePointer<Float>, batch N: Int, channels C: Int, plane: Int,
    mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>
  ) {
    let M = Double(N * plane)
    forChannels(C, elements: N * C * plane) { range in
      for c in range {
        let shift = x[c &* plane]
        var s = 0.0
        var q = 0.0
        for n in 0..<N {
          let (a, b) = shiftedSums(x + (n &* C &+ c) &* plane, count: plane, shift: shift)
          s += Double(a)
          q += Double(b)
        }
        let m = s / M
        mean[c] = Float(Double(shift) + m)
        variance[c] = Float(Swift.max(q / M - m * m, 0))
      }
    }
  }

  /// `y = (x − mean[c]) · scale[c] + shift[c]` per channel.
  ///
  /// Centring before scaling keeps the precision of data far from zero; PyTorch's
  /// `x · scale + (shift − mean · scale)` rounds such data to a coarse grid.
  static func normalize(
    _ x: UnsafePointer<Float>, batch N: Int, channels C: Int, plane: Int,
    mean: [Float], scale: [Float], shift: [Float], into y: UnsafeMutablePointer<Float>
  ) {
    forChannels(C, elements: N * C * plane) { range in
      for c in range {
        let (m, a, b) = (mean[c], scale[c], shift[c])
        for n in 0..<N {
          let o = (n &* C &+ c) &* plane
          let xs = x + o
          let ys = y + o
          for i in 0..<plane { ys[i] = (xs[i] - m) * a + b }
        }
      }
    }
  }

  /// Per-channel `Σ dy` and `Σ dy · (x − mean[c]) · invstd[c]`.
  static func gradientSums(
    _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, batch N: Int, channels C: Int, plane: Int,
    mean: [Float], invstd: [Float], sumDy: UnsafeMutablePointer<Float>,
    sumDyXhat: UnsafeMutablePointer<Float>
  ) {
    forChannels(C, elements: N * C * plane) { range in
      for c in range {
        let m = mean[c]
        var s = 0.0
        var p = 0.0
        for n in 0..<N {
          let o = (n &* C &+ c) &* plane
          let (a, b) = sumAndCenteredDot(dy + o, x + o, count: plane, center: m)
          s += Double(a)
          p += Double(b)
        }
        sumDy[c] = Float(s)
        sumDyXhat[c] = Float(p * Double(invstd[c]))
      }
    }
  }

  /// `dx = k1[c] · dy + k2[c] · (x − mean[c]) + k3[c]` per channel.
  static func inputGradient(
    _ dy: UnsafePointer<Float>, x: UnsafePointer<Float>, batch N: Int, channels C: Int, plane: Int,
    mean: [Float],
    k1: UnsafePointer<Float>, k2: UnsafePointer<Float>, k3: UnsafePointer<Float>,
    into dx: UnsafeMutablePointer<Float>
  ) {
    forChannels(C, elements: N * C * plane) { range in
      for c in range {
        let (a, b, e, m) = (k1[c], k2[c], k3[c], mean[c])
        for n in 0..<N {
          let o = (n &* C &+ c) &* plane
          let (g, xs, d) = (dy + o, x + o, dx + o)
          for i in 0..<plane { d[i] = a * g[i] + b * (xs[i] - m) + e }
        }
      }
    }
  }

  /// Splits the channels over ``Parallel`` tasks (contiguous channel ranges) for large inputs.
  @inline(__always)
  static func forChannels(_ C: Int, elements: Int, _ body: (Range<Int>) -> Void) {
    Parallel.split(C, work: elements, body)
  }

  /// `(Σ (x − shift), Σ (x − shift)²)` in 16 Float lanes.
  @inline(__always)
  static func shiftedSums(_ p: UnsafePointer<Float>, count n: Int, shift: Float) -> (Float, Float) {
    let sh = SIMD16<Float>(repeating: shift)
    var s = SIMD16<Float>()
    var q = SIMD16<Float>()
    var i = 0
    while i &+ 16 <= n {
      let v = SIMDMemory.load16(p + i) - sh
      s += v
      q += v * v
      i &+= 16
    }
    var ts = s.sum()
    var tq = q.sum()
    while i < n {
      let v = p[i] - shift
      ts += v
      tq += v * v
      i &+= 1
    }
    return (ts, tq)
  }

  /// `(Σ g, Σ g · (x − center))` in 16 Float lanes.
  @inline(__always)
  static func sumAndCenteredDot(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count n: Int, center: Float
  ) -> (Float, Float) {
    let m = SIMD16<Float>(repeating: center)
    var s = SIMD16<Float>()
    var d = SIMD16<Float>()
    var i = 0
    while i &+ 16 <= n {
      let gv = SIMDMemory.load16(g + i)
      let xv = SIMDMemory.load16(x + i) - m
      s += gv
      d += gv * xv
      i &+= 16
    }
    var ts = s.sum()
    var td = d.sum()
    while i < n {
      ts += g[i]
      td += g[i] * (x[i] - center)
      i &+= 1
    }
    return (ts, td)
  }
}
