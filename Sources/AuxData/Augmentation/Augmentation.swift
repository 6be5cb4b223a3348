import AuxEngine

/// One spatial augmentation, applied consistently to a sample's image, dense labels and masks.
public enum AugmentationStep: Sendable, Equatable {
  /// A random `height × width` window after padding the image by `padding` pixels on every side
  /// (torchvision `RandomCrop(size, padding)`); if the padded image is still smaller than the
  /// window it is padded further on the right and bottom (Auto-Lambda's `DataTransform`). Pixels
  /// outside the image: `imagePadding` for the image, each dense label's
  /// ``DenseLabelPolicy/padValue`` (ignore index for class maps), 0 for masks.
  case randomCrop(height: Int, width: Int, padding: Int = 0, imagePadding: ImageKernels.Padding = .constant(0))
  /// Mirror left to right with probability `probability`; unit-vector labels have their x
  /// component negated.
  case horizontalFlip(probability: Float = 0.5)
  /// MTAN's random scale crop (`RandomScaleCrop`, lorenmt/mtan issue 34, used by LibMTL, CAGrad,
  /// Nash-MTL): draw `s` uniformly from `scales`, take a random `int(H/s) × int(W/s)` window and
  /// resize it back to `H × W` — images and unit-vector labels bilinearly (`align_corners=True`),
  /// class and regression labels and masks by nearest neighbour — then apply each label's
  /// ``DenseLabelPolicy/valueScaling`` (depth ÷ s, disparity × s).
  case randomScaleCrop(scales: [Float])
}

/// A sequence of ``AugmentationStep``s applied to samples.
///
/// Randomness comes from the generator passed to ``apply(to:tasks:policies:using:)``; the
/// ``DataLoader`` seeds one per (seed, epoch, dataset index), so augmentation is reproducible and
/// independent of batch composition and prefetch timing.
public struct Augmentation: Sendable, Equatable {
  /// The steps, applied in order.
  public var steps: [AugmentationStep]

  public init(_ steps: [AugmentationStep]) {
    self.steps = steps
  }

  /// MTAN/LibMTL NYUv2 training augmentation: random scale crop with s ∈ {1.0, 1.2, 1.5}, then
  /// a horizontal flip with probability ½.
  public static let mtanNYUv2 = Augmentation([.randomScaleCrop(scales: [1.0, 1.2, 1.5]), .horizontalFlip()])

  /// Auto-Lambda Cityscapes training augmentation: a random 256×256 crop of the 256×512 images
  /// (reflect padding for the image should the image be smaller), horizontal flip.
  public static let autoLambdaCityscapes = Augmentation([
    .randomCrop(height: 256, width: 256, imagePadding: .reflect), .horizontalFlip(),
  ])

  /// CIFAR training augmentation: random 32×32 crop after 4 pixels of padding, horizontal flip.
  /// `imagePadding` should be the normalised value of black (see
  /// ``ImageNormalization/paddingForZero``) so that padding matches torchvision's, which pads
  /// before normalising.
  public static func cifar(imagePadding: ImageKernels.Padding) -> Augmentation {
    Augmentation([.randomCrop(height: 32, width: 32, padding: 4, imagePadding: imagePadding), .horizontalFlip()])
  }

  /// `sample` with every step applied.
  ///
  /// - Parameters:
  ///   - tasks: the dataset's tasks (which labels are dense and of which kind).
  ///   - policies: the policy of each dense task (missing tasks use their kind's default).
  public func apply(
    to sample: Sample, tasks: [TaskLabelSpec], policies: [String: DenseLabelPolicy] = [:],
    using rng: inout RandomGenerator
  ) -> Sample {
    var s = sample
    let dense = tasks.filter { $0.kind.isDense && s.labels[$0.name] != nil }
    for step in steps {
      switch step {
      case .randomCrop(let ch, let cw, let padding, let imagePadding):
        s = Self.randomCrop(s, dense: dense, policies: policies, height: ch, width: cw, padding: padding, imagePadding: imagePadding, rng: &rng)
      case .horizontalFlip(let p):
        if rng.nextUniform() < p { s = Self.flip(s, dense: dense) }
      case .randomScaleCrop(let scales):
        precondition(!scales.isEmpty && scales.allSatisfy { $0 >= 1 }, "randomScaleCrop: scales \(scales) must be non-empty and >= 1")
        let sc = scales[rng.nextInt(below: scales.count)]
        s = Self.scaleCrop(s, dense: dense, policies: policies, scale: sc, rng: &rng)
      }
    }
    return s
  }

  static func imageSize(_ s: Sample) -> (Int, Int) {
    precondition(s.image.rank == 3, "Augmentation: sample image must be [C, H, W], got \(s.image.shape)")
    return (s.image.shape[1], s.image.shape[2])
  }

  static func checkDense(_ s: Sample, _ t: TaskLabelSpec, _ h: Int, _ w: Int) {
    let shape = s.labels[t.name]!.shape
    precondition(shape.suffix(2) == [h, w],
      "Augmentation: label '\(t.name)' of shape \(shape) does not match the image's \(h)x\(w)")
  }

  static func randomCrop(
    _ s: Sample, dense: [TaskLabelSpec], policies: [String: DenseLabelPolicy], height ch: Int, width cw: Int,
    padding: Int, imagePadding: ImageKernels.Padding, rng: inout RandomGenerator
  ) -> Sample {
    let (h, w) = imageSize(s)
    precondition(ch > 0 && cw > 0 && padding >= 0, "randomCrop: size \(ch)x\(cw) and padding \(padding) must be positive")
    let ph = max(h + 2 * padding, ch), pw = max(w + 2 * padding, cw)
    let top = rng.nextInt(below: ph - ch + 1) - padding
    let left = rng.nextInt(below: pw - cw + 1) - padding
    var out = s
    out.image = ImageKernels.crop(s.image, top: top, left: left, height: ch, width: cw, padding: imagePadding)
    for t in dense {
      checkDense(s, t, h, w)
      let policy = policies[t.name] ?? .default(for: t.kind)
      out.labels[t.name] = ImageKernels.crop(s.labels[t.name]!, top: top, left: left, height: ch, width: cw, padding: .constant(policy.padValue))
      if let m = s.masks[t.name] {
        out.masks[t.name] = ImageKernels.crop(m, top: top, left: left, height: ch, width: cw, padding: .constant(0))
      }
    }
    return out
  }

  static func flip(_ s: Sample, dense: [TaskLabelSpec]) -> Sample {
    var out = s
    out.image = ImageKernels.flipHorizontal(s.image)
    for t in dense {
      var l = ImageKernels.flipHorizontal(s.labels[t.name]!)
      if t.kind == .unitVector {
        let plane = l.count / max(l.shape[0], 1)
        l.withUnsafeMutableBufferPointer { p in
          for i in 0..<plane { p[i] = -p[i] }
        }
      }
      out.labels[t.name] = l
      if let m = s.masks[t.name] { out.masks[t.name] = ImageKernels.flipHorizontal(m) }
    }
    return out
  }

  static func scaleCrop(
    _ s: Sample, dense: [TaskLabelSpec], policies: [String: DenseLabelPolicy], scale sc: Float, rng: inout RandomGenerator
  ) -> Sample {
    let (h, w) = imageSize(s)
    // int(height / sc) in Python: the division in double precision, truncated.
    let ch = max(1, Int(Double(h) / Double(sc))), cw = max(1, Int(Double(w) / Double(sc)))
    let top = rng.nextInt(below: h - ch + 1), left = rng.nextInt(below: w - cw + 1)
    func resize(_ x: Tensor, _ mode: ImageKernels.ResizeMode) -> Tensor {
      ImageKernels.resize(x, top: top, left: left, height: ch, width: cw, toHeight: h, toWidth: w, mode: mode)
    }
    var out = s
    out.image = resize(s.image, .bilinearAlignCorners)
    for t in dense {
      checkDense(s, t, h, w)
      let policy = policies[t.name] ?? .default(for: t.kind)
      var l = resize(s.labels[t.name]!, policy.interpolation == .bilinear ? .bilinearAlignCorners : .nearest)
      var mask = s.masks[t.name].map { resize($0, .nearest) }
      if t.kind == .unitVector, policy.interpolation == .bilinear {
        renormalize(&l, mask: &mask)
      }
      let factor: Float? = switch policy.valueScaling {
      case .none: nil
      case .divideByScale: 1 / sc
      case .multiplyByScale: sc
      }
      if let f = factor {
        // Scale valid values only, so invalid markers (0 depth, −1 disparity) stay as they are.
        let m = mask
        l.withUnsafeMutableBufferPointer { p in
          if let m {
            m.withUnsafeBufferPointer { mp in
              let plane = mp.count
              for i in 0..<p.count where mp[i % plane] != 0 { p[i] *= f }
            }
          } else {
            for i in 0..<p.count { p[i] *= f }
          }
        }
      }
      out.labels[t.name] = l
      if let mask { out.masks[t.name] = mask }
    }
    return out
  }

  /// Rescales bilinearly resampled unit vectors to length 1; pixels whose vector vanished are
  /// marked invalid.
  static func renormalize(_ l: inout Tensor, mask: inout Tensor?) {
    precondition(l.rank == 3 && l.shape[0] == 3, "Augmentation: unit-vector label must be [3, H, W], got \(l.shape)")
    let plane = l.shape[1] * l.shape[2]
    var m = mask
    l.withUnsafeMutableBufferPointer { p in
      for i in 0..<plane {
        let x = p[i], y = p[plane + i], z = p[2 * plane + i]
        let n = (x * x + y * y + z * z).squareRoot()
        if n > 1e-6 {
          p[i] = x / n
          p[plane + i] = y / n
          p[2 * plane + i] = z / n
        } else {
          p[i] = 0
          p[plane + i] = 0
          p[2 * plane + i] = 0
          m?.withUnsafeMutableBufferPointer { $0[i] = 0 }
        }
      }
    }
    mask = m
  }
}
