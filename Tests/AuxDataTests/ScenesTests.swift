import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

@Suite("Scenes")
struct ScenesTests {
  static let small = ScenesConfig(height: 48, width: 64, seed: 7)

  @Test("labels are consistent with each other, with the masks and with the instance map")
  func labelsConsistent() {
    for config in [Self.small, ScenesConfig(height: 32, width: 32, seed: 8, noise: 0.3), ScenesConfig(height: 256, width: 200, seed: 9)] {
      let g = ScenesGenerator(config: config)
      let (h, w) = (config.height, config.width)
      for index in 0..<(h > 128 ? 2 : 10) {
        let r = g.render(index: index)
        #expect(r.image.shape == [3, h, w] && r.semantic.shape == [h, w] && r.depth.shape == [1, h, w])
        #expect(r.normal.shape == [3, h, w] && r.valid.shape == [1, h, w] && r.edge.shape == [h, w])
        #expect(r.image.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        let sem = r.semantic.scalars, d = r.depth.scalars, valid = r.valid.scalars
        let classOfInstance: [Int32: Int] = [-1: 0, 0: 1, 1: 2].merging(
          r.objectClasses.enumerated().map { (Int32($0.offset + 2), $0.element.rawValue) }) { a, _ in a }
        var mismatches = 0
        for i in 0..<(h * w) {
          let hit = r.instance[i] >= 0
          if classOfInstance[r.instance[i]] != Int(sem[i]) { mismatches += 1 }
          if (valid[i] == 1) != hit || (d[i] > 0) != hit || (sem[i] != 0) != hit { mismatches += 1 }
          if hit && !(d[i].isFinite && d[i] > 0.1 && d[i] < 100) { mismatches += 1 }
        }
        #expect(mismatches == 0, "scene \(index) of \(h)×\(w): \(mismatches) inconsistent pixels")
        let s = r.sample
        #expect(s.labels["semantic"]!.scalars == sem && s.labels["edge"]!.scalars == r.edge.scalars)
        #expect(s.masks["depth"]!.scalars == valid && s.masks["normal"]!.scalars == valid)
      }
    }
  }

  @Test("samples are deterministic in (seed, index); layouts do not depend on the image size")
  func determinism() {
    let a = ScenesGenerator(config: Self.small), b = ScenesGenerator(config: Self.small)
    for index in [0, 5, 123_456, 1 << 41] {
      let (x, y) = (a.render(index: index), b.render(index: index))
      #expect(x.image.scalars == y.image.scalars && x.depth.scalars == y.depth.scalars)
      #expect(x.normal.scalars == y.normal.scalars && x.edge.scalars == y.edge.scalars && x.semantic.scalars == y.semantic.scalars)
    }
    #expect(a.render(index: 0).image.scalars != a.render(index: 1).image.scalars)
    var other = Self.small
    other.seed = 8
    #expect(ScenesGenerator(config: other).render(index: 0).image.scalars != a.render(index: 0).image.scalars)
    var big = Self.small
    (big.height, big.width) = (128, 96)
    for index in 0..<10 {
      let (x, y) = (a.render(index: index), ScenesGenerator(config: big).render(index: index))
      #expect(x.objectClasses == y.objectClasses && x.noiseStd == y.noiseStd)
    }
  }

  @Test("noise has the drawn standard deviation; anti-aliasing changes the image but no label")
  func noiseAndAntiAliasing() {
    var clean = Self.small
    clean.noise = 0
    var noisy = Self.small
    noisy.noise = 0.1
    var smooth = clean
    smooth.antiAliasing = 3
    var noiseChecked = 0
    for index in 0..<5 {
      let c = ScenesGenerator(config: clean).render(index: index)
      let n = ScenesGenerator(config: noisy).render(index: index)
      #expect(c.noiseStd == 0 && n.noiseStd > 0 && n.noiseStd <= 0.1)
      // Compare only pixels far from the clamping bounds.
      var sum = 0.0, sumSq = 0.0, count = 0.0, withinOneSigma = 0.0
      let (ci, ni) = (c.image.scalars, n.image.scalars)
      for i in 0..<ci.count where ci[i] > 0.35 && ci[i] < 0.65 {
        let diff = Double(ni[i] - ci[i])
        sum += diff
        sumSq += diff * diff
        count += 1
        if abs(diff) < Double(n.noiseStd) { withinOneSigma += 1 }
      }
      if count > 500 && n.noiseStd > 0.01 {
        noiseChecked += 1
        let std = (sumSq / count - (sum / count) * (sum / count)).squareRoot()
        #expect(abs(std / Double(n.noiseStd) - 1) < 0.15, "scene \(index): noise std \(std) vs drawn \(n.noiseStd)")
        #expect(abs(sum / count) < 0.2 * Double(n.noiseStd), "scene \(index): noise mean \(sum / count)")
        // Gaussian: 68.3 % of deviates within one standard deviation.
        #expect(abs(withinOneSigma / count - 0.683) < 0.05, "scene \(index): \(withinOneSigma / count) within 1σ")
      }
      #expect(n.semantic.scalars == c.semantic.scalars && n.depth.scalars == c.depth.scalars)
      let s = ScenesGenerator(config: smooth).render(index: index)
      #expect(s.semantic.scalars == c.semantic.scalars && s.depth.scalars == c.depth.scalars)
      #expect(s.normal.scalars == c.normal.scalars && s.edge.scalars == c.edge.scalars)
      let si = s.image.scalars
      #expect(si != ci)
      let meanAbs = zip(si, ci).map { Double(abs($0 - $1)) }.reduce(0, +) / Double(si.count)
      #expect(meanAbs < 0.03, "anti-aliasing moved the image by \(meanAbs) on average")
    }
    #expect(noiseChecked >= 2, "only \(noiseChecked) scenes had enough mid-grey pixels to check the noise")
  }

  @Test("class and object statistics over 200 scenes are plausible")
  func statistics() {
    let g = ScenesGenerator(config: ScenesConfig(height: 64, width: 64, seed: 11))
    var pixels = [Double](repeating: 0, count: 7)
    var scenesWith = [Int](repeating: 0, count: 7)
    var objectCounts = Set<Int>()
    let scenes = 200
    for index in 0..<scenes {
      let r = g.render(index: index)
      #expect((2...5).contains(r.objectClasses.count), "scene \(index) has \(r.objectClasses.count) objects")
      objectCounts.insert(r.objectClasses.count)
      var seen = [Bool](repeating: false, count: 7)
      for c in r.semantic.scalars {
        pixels[Int(c)] += 1
        seen[Int(c)] = true
      }
      for k in 0..<7 where seen[k] { scenesWith[k] += 1 }
    }
    let total = pixels.reduce(0, +)
    let fraction = pixels.map { $0 / total }
    print("scenes class pixel fractions \(fraction.map { String(format: "%.3f", $0) }), scenes with class \(scenesWith)")
    #expect(objectCounts == [2, 3, 4, 5])
    #expect(scenesWith[1] == scenes && scenesWith[2] == scenes, "floor and wall are in every scene")
    #expect(scenesWith[0] > scenes / 10 && scenesWith[0] < scenes, "background in some scenes, not all")
    for k in 3...6 { #expect(scenesWith[k] > scenes / 4, "class \(k) in only \(scenesWith[k]) scenes") }
    #expect(fraction[1] > 0.2 && fraction[1] < 0.7 && fraction[2] > 0.1 && fraction[2] < 0.6)
    #expect(fraction[0] < 0.15)
    for k in 3...6 { #expect(fraction[k] > 0.005 && fraction[k] < 0.1, "class \(k) covers \(fraction[k]) of pixels") }
  }

  @Test("object colours come from one distribution whatever the shape")
  func coloursIndependentOfShape() {
    let g = ScenesGenerator(config: ScenesConfig(seed: 12))
    var sums: [SceneClass: (Double, Double, Double, Int)] = [:]
    for index in 0..<1500 {
      for o in g.layout(index: index).objects {
        let s = sums[o.shape] ?? (0, 0, 0, 0)
        sums[o.shape] = (s.0 + Double(o.color.x), s.1 + Double(o.color.y), s.2 + Double(o.color.z), s.3 + 1)
      }
    }
    let all = sums.values.reduce((0.0, 0.0, 0.0, 0)) { ($0.0 + $1.0, $0.1 + $1.1, $0.2 + $1.2, $0.3 + $1.3) }
    let mean = (all.0 / Double(all.3), all.1 / Double(all.3), all.2 / Double(all.3))
    #expect(sums.count == 4)
    for (shape, s) in sums {
      let n = Double(s.3)
      // Standard error of a channel mean is about 0.25/√n ≈ 0.01 here; allow 4 of them.
      #expect(abs(s.0 / n - mean.0) < 0.04 && abs(s.1 / n - mean.1) < 0.04 && abs(s.2 / n - mean.2) < 0.04,
              "\(shape): mean colour (\(s.0 / n), \(s.1 / n), \(s.2 / n)) vs all objects \(mean)")
    }
  }
}
