import AuxEngine

extension LabelNoise {
  /// The label with this noise applied, drawn from `rng`.
  ///
  /// - Parameters:
  ///   - label: the clean label, shaped as `kind` says (``LabelKind``).
  ///   - mask: the validity mask `[1, H, W]` of a masked dense label (nil: every pixel valid).
  /// - Throws: ``DatasetError`` when this noise does not apply to `kind` or the label's shape is
  ///   not that of its kind.
  public func apply(to label: Tensor, kind: LabelKind, mask: Tensor?, rng: inout RandomGenerator) throws -> Tensor {
    guard rate > 0 else { return label }
    var out = label
    switch (self.kind, kind) {
    case (.flip, .classIndex(let classes)):
      out.withUnsafeMutableBufferPointer { b in
        for i in 0..<b.count { b[i] = Self.flip(b[i], classes: classes, ignore: nil, rate: rate, rng: &rng) }
      }
    case (.flip, .denseClass(let classes, let ignore)):
      out.withUnsafeMutableBufferPointer { b in
        for i in 0..<b.count { b[i] = Self.flip(b[i], classes: classes, ignore: ignore, rate: rate, rng: &rng) }
      }
    case (.gaussian, .denseRegression):
      let (h, w) = try Self.spatial(label, kind: kind)
      let valid = Self.validity(mask, pixels: h * w)
      let channels = label.count / (h * w)
      var sum = 0.0, sumSquares = 0.0, n = 0.0
      label.withUnsafeBufferPointer { b in
        for c in 0..<channels {
          for p in 0..<(h * w) where valid[p] {
            let v = Double(b[c * h * w + p])
            sum += v
            sumSquares += v * v
            n += 1
          }
        }
      }
      guard n > 1 else { return label }
      let mean = sum / n
      let std = Swift.max(sumSquares / n - mean * mean, 0).squareRoot()
      let scale = Float(rate * std)
      out.withUnsafeMutableBufferPointer { b in
        for c in 0..<channels {
          for p in 0..<(h * w) where valid[p] { b[c * h * w + p] += scale * rng.nextNormal() }
        }
      }
    case (.gaussian, .unitVector):
      let (h, w) = try Self.spatial(label, kind: kind)
      let valid = Self.validity(mask, pixels: h * w)
      let n = h * w
      let scale = Float(rate)
      out.withUnsafeMutableBufferPointer { b in
        for p in 0..<n where valid[p] {
          let x = b[p] + scale * rng.nextNormal()
          let y = b[n + p] + scale * rng.nextNormal()
          let z = b[2 * n + p] + scale * rng.nextNormal()
          let norm = (x * x + y * y + z * z).squareRoot()
          guard norm > 0 else { continue }
          (b[p], b[n + p], b[2 * n + p]) = (x / norm, y / norm, z / norm)
        }
      }
    case (.blocks, _) where kind.isDense:
      let (h, w) = try Self.spatial(label, kind: kind)
      out = blockCorrupted(label, kind: kind, height: h, width: w, valid: Self.validity(mask, pixels: h * w), rng: &rng)
    default:
      try check(for: TaskLabelSpec(name: "?", kind: kind))
    }
    return out
  }

  /// With probability `rate`, a class drawn uniformly from the other `classes − 1`.
  static func flip(_ v: Float, classes: Int, ignore: Int?, rate: Double, rng: inout RandomGenerator) -> Float {
    let c = Int(v)
    guard classes > 1, Float(c) == v, c >= 0, c < classes, c != ignore else { return v }
    guard rng.nextUniformDouble() < rate else { return v }
    let other = rng.nextInt(below: classes - 1)
    return Float(other >= c ? other + 1 : other)
  }

  /// `(H, W)` of a dense label.
  static func spatial(_ label: Tensor, kind: LabelKind) throws -> (Int, Int) {
    let s = label.shape
    switch kind {
    case .denseClass where s.count == 2: return (s[0], s[1])
    case .denseRegression(let ch) where s.count == 3 && s[0] == ch: return (s[1], s[2])
    case .unitVector where s.count == 3 && s[0] == 3: return (s[1], s[2])
    default: throw DatasetError("label noise: a \(kind) label has shape \(s), which is not that kind's shape")
    }
  }

  static func validity(_ mask: Tensor?, pixels: Int) -> [Bool] {
    guard let mask, mask.count == pixels else { return [Bool](repeating: true, count: pixels) }
    return mask.scalars.map { $0 > 0.5 }
  }

  private func blockCorrupted(_ label: Tensor, kind: LabelKind, height h: Int, width w: Int, valid: [Bool], rng: inout RandomGenerator) -> Tensor {
    var out = label
    let b = Swift.max(blockSize, 1)
    let channels = label.count / (h * w)
    // Per-channel value ranges of a regression map (over valid pixels).
    var low = [Float](repeating: .infinity, count: channels)
    var high = [Float](repeating: -.infinity, count: channels)
    if case .denseRegression = kind {
      label.withUnsafeBufferPointer { x in
        for c in 0..<channels {
          for p in 0..<(h * w) where valid[p] {
            low[c] = Swift.min(low[c], x[c * h * w + p])
            high[c] = Swift.max(high[c], x[c * h * w + p])
          }
        }
      }
    }
    out.withUnsafeMutableBufferPointer { x in
      var by = 0
      while by < h {
        var bx = 0
        while bx < w {
          defer { bx += b }
          guard rng.nextUniformDouble() < rate else { continue }
          var value = [Float](repeating: 0, count: channels)
          var ignore: Int? = nil
          switch kind {
          case .denseClass(let classes, let ig):
            value[0] = Float(rng.nextInt(below: Swift.max(classes, 1)))
            ignore = ig
          case .denseRegression:
            for c in 0..<channels where low[c] <= high[c] {
              value[c] = low[c] + (high[c] - low[c]) * rng.nextUniform()
            }
          case .unitVector:
            var v: (Float, Float, Float) = (0, 0, 0)
            var n: Float = 0
            repeat {
              v = (rng.nextNormal(), rng.nextNormal(), rng.nextNormal())
              n = (v.0 * v.0 + v.1 * v.1 + v.2 * v.2).squareRoot()
            } while n == 0
            value = [v.0 / n, v.1 / n, v.2 / n]
          case .classIndex, .softLabel:
            break
          }
          for y in by..<Swift.min(by + b, h) {
            for xx in bx..<Swift.min(bx + b, w) {
              let p = y * w + xx
              if case .denseClass = kind {
                if let ignore, Int(x[p]) == ignore { continue }
                x[p] = value[0]
              } else if valid[p] {
                if case .denseRegression = kind, !(low[0] <= high[0]) { continue }
                for c in 0..<channels { x[c * h * w + p] = value[c] }
              }
            }
          }
        }
        by += b
      }
    }
    return out
  }
}
