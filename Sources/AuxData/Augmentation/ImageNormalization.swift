import AuxEngine

/// How a dataset maps image intensities in [0, 1] to network inputs.
public enum ImageNormalization: Sendable, Equatable {
  /// Keep [0, 1] (MTAN and LibMTL feed NYUv2 this way).
  case unit
  /// `2x − 1`, giving [−1, 1] (Auto-Lambda for NYUv2 and Cityscapes).
  case symmetric
  /// `(x − mean[c]) / std[c]` per channel (torchvision `Normalize`).
  case meanStd(mean: [Float], std: [Float])

  /// torchvision-style normalisation with Auto-Lambda's CIFAR-100 statistics.
  public static let cifar100 = ImageNormalization.meanStd(mean: [0.5071, 0.4867, 0.4408], std: [0.2675, 0.2565, 0.2761])

  /// Normalises `x` (`[C, H, W]`, values in [0, 1]) in place.
  public func apply(_ x: inout Tensor) {
    precondition(x.rank == 3, "ImageNormalization.apply: expected [C, H, W], got \(x.shape)")
    let c = x.shape[0], plane = x.shape[1] * x.shape[2]
    switch self {
    case .unit:
      return
    case .symmetric:
      x.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] = 2 * p[i] - 1 }
      }
    case .meanStd(let mean, let std):
      precondition(mean.count == c && std.count == c,
        "ImageNormalization.apply: \(mean.count) means and \(std.count) stds for \(c) channels (image \(x.shape))")
      x.withUnsafeMutableBufferPointer { p in
        for ch in 0..<c {
          let m = mean[ch], s = std[ch]
          let base = p.baseAddress! + ch * plane
          for i in 0..<plane { base[i] = (base[i] - m) / s }
        }
      }
    }
  }

  /// Padding that equals raw intensity 0 (black) after this normalisation, for `channels`
  /// channels: what torchvision produces when it pads before normalising.
  public func paddingForZero(channels: Int) -> ImageKernels.Padding {
    switch self {
    case .unit: .constant(0)
    case .symmetric: .constant(-1)
    case .meanStd(let mean, let std): .perChannel((0..<channels).map { -mean[$0] / std[$0] })
    }
  }
}
