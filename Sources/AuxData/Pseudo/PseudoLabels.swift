import AuxEngine

/// What a pseudo label is (the IAL paper's pseudo tasks, §IV-D, following MuST).
public enum PseudoLabelKind: String, Sendable, CaseIterable {
  /// A class per pixel, the teacher's most likely one; pixels whose probability is below a score
  /// threshold are ignored.
  case hard
  /// A class distribution per image (soft-target cross-entropy).
  case soft
  /// A dense regression (or unit-vector) map, every pixel valid.
  case regression
}

/// Turning a teacher's raw outputs into pseudo labels.
///
/// Every function works on whole batches (`[N, …]`) and is deterministic: ties between classes go
/// to the first maximal one (PyTorch's `argmax`).
public enum PseudoLabels {
  /// The ignore index of hard pseudo masks with `classes` classes: 255 (the usual one), or
  /// `classes` when there are more than 255 classes.
  public static func ignoreIndex(classes: Int) -> Int { Swift.max(255, classes) }

  /// Hard masks from class logits `[N, C, H, W]`: the most likely class of each pixel, or the
  /// ignore index where its softmax probability is below `threshold`. Returns `[N, H, W]`.
  public static func hardMasks(logits: Tensor, threshold: Double) -> Tensor {
    precondition(logits.rank == 4, "PseudoLabels.hardMasks: logits must be [N, C, H, W], got \(logits.shape)")
    let (n, c, h, w) = (logits.shape[0], logits.shape[1], logits.shape[2], logits.shape[3])
    let plane = h * w
    let ignore = Float(ignoreIndex(classes: c))
    let t = Float(threshold)
    var out = Tensor.uninitialized([n, h, w])
    logits.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for i in 0..<n {
          let base = src.baseAddress! + i * c * plane
          for p in 0..<plane {
            var best = 0
            var top = base[p]
            for k in 1..<Swift.max(c, 1) where base[k * plane + p] > top {
              top = base[k * plane + p]
              best = k
            }
            var sum: Float = 0
            for k in 0..<c { sum += FastMath.exp(base[k * plane + p] - top) }
            // The top class's probability is exp(0) / sum.
            dst[i * plane + p] = 1 / sum >= t ? Float(best) : ignore
          }
        }
      }
    }
    return out
  }

  /// Hard masks from class maps `[N, H, W]` and the teacher's scores for them (`[N, H, W]`, the
  /// probability of each pixel's class): pixels whose score is below `threshold` become the
  /// ignore index. Without scores the maps are returned as they are.
  public static func hardMasks(classMaps: Tensor, scores: Tensor?, threshold: Double, ignoreIndex: Int) -> Tensor {
    guard let scores, threshold > 0 else { return classMaps }
    precondition(scores.shape == classMaps.shape, "PseudoLabels.hardMasks: scores \(scores.shape) and class maps \(classMaps.shape) differ")
    var out = classMaps
    let t = Float(threshold)
    let ignore = Float(ignoreIndex)
    scores.withUnsafeBufferPointer { s in
      out.withUnsafeMutableBufferPointer { o in
        for i in 0..<o.count where s[i] < t { o[i] = ignore }
      }
    }
    return out
  }

  /// Soft labels from class logits: `[N, C]` → the softmax per row; `[N, C, H, W]` (a dense
  /// teacher) → each image's mean per-pixel softmax distribution, `[N, C]`.
  public static func softLabels(logits: Tensor) -> Tensor {
    switch logits.rank {
    case 2:
      return Autograd.withoutGradients { logits.softmax(axis: 1) }
    case 4:
      let (n, c) = (logits.shape[0], logits.shape[1])
      let plane = logits.shape[2] * logits.shape[3]
      let p = Autograd.withoutGradients { logits.softmax(axis: 1) }
      var out = Tensor.zeros([n, c])
      p.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
          for i in 0..<n {
            for k in 0..<c {
              let row = src.baseAddress! + (i * c + k) * plane
              var s: Double = 0
              for q in 0..<plane { s += Double(row[q]) }
              dst[i * c + k] = Float(s / Double(Swift.max(plane, 1)))
            }
          }
        }
      }
      return out
    default:
      preconditionFailure("PseudoLabels.softLabels: logits must be [N, C] or [N, C, H, W], got \(logits.shape)")
    }
  }
}
