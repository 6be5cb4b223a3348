/// Inverted dropout (PyTorch's `torch.nn.functional.dropout`).
extension Tensor {
  /// Zeroes each element independently with probability `p` and scales the survivors by
  /// `1 / (1 − p)` while `training`; the identity otherwise.
  ///
  /// This is PyTorch's inverted dropout: the expected value of every element is unchanged, so
  /// evaluation needs no rescaling. `p == 1` gives zeros (and zero gradients), `p == 0` or
  /// `training == false` returns `self` unchanged without drawing from `rng`. The gradient is the
  /// upstream gradient times the same mask.
  ///
  /// The draws come from `rng` (one 32-bit draw per element), so a run is reproducible from its
  /// seed; the mask differs from PyTorch's for the same seed.
  ///
  /// - Parameters:
  ///   - p: the probability of zeroing an element, in `0...1`.
  ///   - training: whether to drop (a module's `isTraining`).
  ///   - rng: the generator to draw the mask from.
  public func dropout(p: Float, training: Bool, using rng: inout RandomGenerator) -> Tensor {
    precondition(p >= 0 && p <= 1, "dropout: probability must be in [0, 1], got \(p) (shape \(shape))")
    guard training, p > 0 else { return self }
    var mask = Tensor.uninitialized(shape)
    let n = count
    if p == 1 {
      mask = Tensor.zeros(shape)
    } else {
      // Keep an element when its 32-bit draw is ≥ p·2^32: probability 1 − p (to 2^-32).
      let threshold = UInt64((Double(p) * 4_294_967_296).rounded(.down))
      let scale = 1 / (1 - p)
      var local = rng
      mask.withUnsafeMutableBufferPointer { mp in
        guard let m = mp.baseAddress else { return }
        var i = 0
        while i + 1 < n {
          let bits = local.next()
          m[i] = (bits & 0xFFFF_FFFF) >= threshold ? scale : 0
          m[i + 1] = (bits >> 32) >= threshold ? scale : 0
          i += 2
        }
        if i < n { m[i] = (local.next() & 0xFFFF_FFFF) >= threshold ? scale : 0 }
      }
      rng = local
    }
    let out = ElementwiseKernels.zip(self, mask) { $0 * $1 }
    return Tensor.record("dropout", output: out, inputs: [self]) { g, _ in [ElementwiseKernels.zip(g, mask) { $0 * $1 }] }
  }
}
