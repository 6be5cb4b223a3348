import AuxData
import AuxEngine
import Foundation
import Testing

/// Label noise (``LabelNoise``): parsing, the statistics of each kind against its definition, and
/// the dataset wrapper's determinism.
@Suite("Label noise")
struct LabelNoiseTests {
  /// |observed − expected| within 4.5 binomial standard deviations.
  static func withinBinomial(_ hits: Int, of n: Int, p: Double) -> Bool {
    let sd = (Double(n) * p * (1 - p)).squareRoot()
    return abs(Double(hits) - Double(n) * p) <= 4.5 * max(sd, 1)
  }

  static func std(_ x: [Double]) -> Double {
    let m = x.reduce(0, +) / Double(x.count)
    var s = 0.0
    for v in x { s += (v - m) * (v - m) }
    return (s / Double(x.count)).squareRoot()
  }

  @Test("parses kind:rate[:size] and refuses bad text with what it expected")
  func parsing() throws {
    #expect(try LabelNoise(parsing: "flip:0.2") == LabelNoise(kind: .flip, rate: 0.2))
    #expect(try LabelNoise(parsing: "blocks:0.25:4") == LabelNoise(kind: .blocks, rate: 0.25, blockSize: 4))
    #expect(try LabelNoise(parsing: "gaussian:1").description == "gaussian:1")
    for bad in ["flip", "salt:0.1", "flip:1.5", "flip:x", "gaussian:0.1:3", "blocks:0.1:0", ""] {
      #expect(throws: DatasetError.self) { try LabelNoise(parsing: bad) }
    }
    let flip = LabelNoise(kind: .flip, rate: 0.1)
    #expect(throws: DatasetError.self) { try flip.check(for: TaskLabelSpec(name: "depth", kind: .denseRegression(channels: 1))) }
    #expect(throws: DatasetError.self) { try LabelNoise(kind: .gaussian, rate: 0.1).check(for: TaskLabelSpec(name: "c", kind: .classIndex(classes: 3))) }
    #expect(throws: DatasetError.self) { try LabelNoise(kind: .blocks, rate: 0.1).check(for: TaskLabelSpec(name: "c", kind: .classIndex(classes: 3))) }
  }

  @Test("symmetric flips: each valid pixel flips with probability rate, to each other class equally often; ignored pixels stay")
  func denseFlips() throws {
    let classes = 5, ignore = 255, rate = 0.3
    let h = 64, w = 64
    var clean = Tensor.zeros([h, w])
    clean.withUnsafeMutableBufferPointer { b in for i in 0..<b.count { b[i] = i % 17 == 0 ? Float(ignore) : Float(i % classes) } }
    var flipped = 0, valid = 0
    var transitions = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
    for s in 0..<10 {
      var rng = RandomGenerator(seed: UInt64(s))
      let noisy = try LabelNoise(kind: .flip, rate: rate).apply(to: clean, kind: .denseClass(classes: classes, ignoreIndex: ignore), mask: nil, rng: &rng)
      for (a, b) in zip(clean.scalars, noisy.scalars) {
        if Int(a) == ignore {
          #expect(b == a)
          continue
        }
        valid += 1
        if a != b {
          flipped += 1
          transitions[Int(a)][Int(b)] += 1
        }
      }
    }
    #expect(Self.withinBinomial(flipped, of: valid, p: rate), "\(flipped) of \(valid)")
    for c in 0..<classes {
      let row = transitions[c]
      #expect(row[c] == 0)
      let total = row.reduce(0, +)
      for d in 0..<classes where d != c {
        #expect(Self.withinBinomial(row[d], of: total, p: 1.0 / Double(classes - 1)), "\(c)→\(d): \(row)")
      }
    }
  }

  @Test("class-index flips happen at the rate and never keep the class")
  func indexFlips() throws {
    var flipped = 0
    let n = 4000
    for i in 0..<n {
      var rng = RandomGenerator(seed: UInt64(i))
      let c = Float(i % 10)
      let out = try LabelNoise(kind: .flip, rate: 0.15).apply(to: Tensor([c]), kind: .classIndex(classes: 10), mask: nil, rng: &rng)
      if out.scalars[0] != c { flipped += 1 }
      #expect((0..<10).contains(Int(out.scalars[0])))
    }
    #expect(Self.withinBinomial(flipped, of: n, p: 0.15))
  }

  @Test("Gaussian noise on a regression map: zero mean, standard deviation rate × the map's, only on valid pixels")
  func gaussianRegression() throws {
    let h = 64, w = 64
    var rng0 = RandomGenerator(seed: 9)
    let cleanValues: [Float] = (0..<(h * w)).map { _ in 2 + 3 * rng0.nextUniform() }
    let clean = Tensor(shape: [1, h, w], scalars: cleanValues)
    var mask = Tensor.ones([1, h, w])
    mask.withUnsafeMutableBufferPointer { b in for i in 0..<b.count where i % 5 == 0 { b[i] = 0 } }
    let valid = (0..<(h * w)).filter { $0 % 5 != 0 }
    let vals: [Double] = valid.map { Double(cleanValues[$0]) }
    let std = Self.std(vals)
    var rng = RandomGenerator(seed: 1)
    let noisy = try LabelNoise(kind: .gaussian, rate: 0.4).apply(to: clean, kind: .denseRegression(channels: 1), mask: mask, rng: &rng)
    let noisyValues = noisy.scalars
    let d: [Double] = valid.map { Double(noisyValues[$0] - cleanValues[$0]) }
    let dm = d.reduce(0, +) / Double(d.count)
    let ds = Self.std(d)
    #expect(abs(dm) < 4 * 0.4 * std / Double(d.count).squareRoot())
    #expect(abs(ds / (0.4 * std) - 1) < 0.05, "noise std \(ds), expected \(0.4 * std)")
    for i in 0..<(h * w) where i % 5 == 0 { #expect(noisyValues[i] == cleanValues[i]) }
  }

  @Test("Gaussian noise on unit vectors keeps them unit length and moves them more at higher rates")
  func gaussianNormals() throws {
    let n = 32 * 32
    var clean = Tensor.zeros([3, 32, 32])
    clean.withUnsafeMutableBufferPointer { b in for p in 0..<n { b[2 * n + p] = 1 } }
    var meanCos: [Double] = []
    for rate in [0.1, 0.5] {
      var rng = RandomGenerator(seed: 3)
      let noisy = try LabelNoise(kind: .gaussian, rate: rate).apply(to: clean, kind: .unitVector, mask: nil, rng: &rng)
      let s = noisy.scalars
      for p in 0..<n {
        let len = (s[p] * s[p] + s[n + p] * s[n + p] + s[2 * n + p] * s[2 * n + p]).squareRoot()
        #expect(abs(len - 1) < 1e-5)
      }
      meanCos.append((0..<n).reduce(0.0) { $0 + Double(s[2 * n + $1]) } / Double(n))
    }
    #expect(meanCos[0] > meanCos[1] && meanCos[1] < 0.95)
  }

  @Test("block corruption: each block is corrupted with probability rate and becomes one value; masks and ignored pixels stay")
  func blocks() throws {
    let h = 64, w = 64, size = 8
    let blocksPerMap = (h / size) * (w / size)
    var corrupted = 0, total = 0
    var rng0 = RandomGenerator(seed: 2)
    let depthValues: [Float] = (0..<(h * w)).map { _ in 1 + rng0.nextUniform() }
    let depth = Tensor(shape: [1, h, w], scalars: depthValues)
    for s in 0..<12 {
      var rng = RandomGenerator(seed: UInt64(100 + s))
      let noisy = try LabelNoise(kind: .blocks, rate: 0.25, blockSize: size).apply(to: depth, kind: .denseRegression(channels: 1), mask: nil, rng: &rng)
      let a = depth.scalars, b = noisy.scalars
      for by in stride(from: 0, to: h, by: size) {
        for bx in stride(from: 0, to: w, by: size) {
          total += 1
          let idx = (by..<(by + size)).flatMap { y in (bx..<(bx + size)).map { y * w + $0 } }
          let changed = idx.contains { a[$0] != b[$0] }
          if changed {
            corrupted += 1
            #expect(Set(idx.map { b[$0] }).count == 1, "a corrupted block holds one value")
            #expect(idx.allSatisfy { b[$0] >= 1 && b[$0] <= 2 }, "values stay within the map's range")
          }
        }
      }
    }
    #expect(total == 12 * blocksPerMap)
    #expect(Self.withinBinomial(corrupted, of: total, p: 0.25), "\(corrupted) of \(total)")

    // Class maps: ignored pixels keep the ignore index.
    var labels = Tensor.zeros([16, 16])
    labels.withUnsafeMutableBufferPointer { b in for i in 0..<b.count { b[i] = i % 3 == 0 ? -1 : 1 } }
    var rng = RandomGenerator(seed: 5)
    let noisy = try LabelNoise(kind: .blocks, rate: 1, blockSize: 4).apply(to: labels, kind: .denseClass(classes: 7, ignoreIndex: -1), mask: nil, rng: &rng)
    for (a, b) in zip(labels.scalars, noisy.scalars) where a == -1 { #expect(b == -1) }
    #expect(noisy.scalars.allSatisfy { $0 == -1 || (0..<7).contains(Int($0)) })
  }

  @Test("the dataset wrapper: same sample, same noise; other tasks, images and masks untouched; bad task refused")
  func wrapper() throws {
    let base = try ScenesDataset(config: ScenesConfig(height: 32, width: 32, seed: 4), split: .train, count: 6)
    let noise = ["semantic": LabelNoise(kind: .flip, rate: 0.5), "depth": LabelNoise(kind: .blocks, rate: 0.5, blockSize: 4)]
    let noisy = try NoisyLabelDataset(base, noise: noise, seed: 7)
    let a = try noisy.sample(at: 3), b = try noisy.sample(at: 3), clean = try base.sample(at: 3)
    #expect(a.labels["semantic"]!.scalars == b.labels["semantic"]!.scalars)
    #expect(a.labels["depth"]!.scalars == b.labels["depth"]!.scalars)
    #expect(a.labels["semantic"]!.scalars != clean.labels["semantic"]!.scalars)
    #expect(a.labels["depth"]!.scalars != clean.labels["depth"]!.scalars)
    #expect(a.labels["normal"]!.scalars == clean.labels["normal"]!.scalars)
    #expect(a.image.scalars == clean.image.scalars)
    #expect(a.masks["depth"]!.scalars == clean.masks["depth"]!.scalars)
    let other = try NoisyLabelDataset(base, noise: noise, seed: 8).sample(at: 3)
    #expect(other.labels["semantic"]!.scalars != a.labels["semantic"]!.scalars)
    #expect(throws: DatasetError.self) { try NoisyLabelDataset(base, noise: ["sky": LabelNoise(kind: .flip, rate: 0.1)], seed: 0) }
    #expect(throws: DatasetError.self) { try NoisyLabelDataset(base, noise: ["normal": LabelNoise(kind: .flip, rate: 0.1)], seed: 0) }
  }
}
