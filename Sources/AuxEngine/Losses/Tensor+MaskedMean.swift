/// The mean over valid elements (the "masked mean over valid pixels" of dense-prediction losses).
extension Tensor {
  /// `Σ m·x / Σ m` with `m = mask` broadcast to this tensor's shape; 0 (with a zero gradient) when
  /// `Σ m == 0`.
  ///
  /// Elements whose mask is 0 are skipped, so NaN or garbage values at invalid pixels do not reach
  /// the result or the gradient. The gradient is `g · m / Σ m`. Use it on a per-pixel loss computed
  /// with reduction `.none`, e.g. `(1 − cos).maskedMean(valid)` for surface normals.
  ///
  /// - Parameter mask: non-negative weights (typically 1 = valid, 0 = invalid), broadcastable to
  ///   this tensor's shape without enlarging it; a constant.
  public func maskedMean(_ mask: Tensor) -> Tensor {
    let m = LossKernels.expandedMask(mask, to: shape, op: "maskedMean")!
    let n = count
    var total = 0.0
    var weightSum = 0.0
    withUnsafeBufferPointer { xp in
      m.withUnsafeBufferPointer { mp in
        for i in 0..<n where mp[i] != 0 {
          total += Double(mp[i]) * Double(xp[i])
          weightSum += Double(mp[i])
        }
      }
    }
    let out = Tensor(weightSum == 0 ? 0 : Float(total / weightSum))
    let denominator = Float(weightSum)
    return Tensor.record("masked_mean", output: out, inputs: [self]) { g, _ in
      let scale = denominator == 0 ? 0 : g.item / denominator
      return [ElementwiseKernels.map(m) { $0 * scale }]
    }
  }
}
