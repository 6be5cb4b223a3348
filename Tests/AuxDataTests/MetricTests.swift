import AuxData
import AuxEngine
import AuxTestSupport
import Foundation
import Testing

private func values(_ m: some Metric) -> [String: Double] {
  Dictionary(uniqueKeysWithValues: m.compute().map { ($0.name, $0.value) })
}

private func close(_ a: Double, _ b: Double, _ tol: Double = 1e-12) -> Bool {
  Swift.abs(a - b) <= tol * Swift.max(1, Swift.abs(b))
}

@Suite("Metrics")
struct MetricTests {
  // MARK: Segmentation

  /// Targets [0, 0, 1, 1, ignore, 1], predictions [0, 1, 1, 2, 2, 1] over 4 classes.
  /// Valid: 5 pixels. Class 0: TP 1, FN 1 → 1/2. Class 1: TP 2, FP 1, FN 1 → 2/4.
  /// Class 2: only a false positive → 0. Class 3: absent everywhere → excluded.
  @Test("mIoU and pixel accuracy by hand, with an empty class, a predicted-only class and ignore")
  func segmentationByHand() {
    let targets = Tensor(shape: [1, 2, 3], scalars: [0, 0, 1, 1, -1, 1])
    let preds = Tensor(shape: [1, 2, 3], scalars: [0, 1, 1, 2, 2, 1])
    var m = SegmentationMetric(classes: 4, ignoreIndex: -1)
    m.update(predictions: preds, targets: targets)
    let v = values(m)
    #expect(close(v["mIoU"]!, 1.0 / 3.0))
    #expect(close(v["pixelAccuracy"]!, 3.0 / 5.0))
    #expect(m.perClassIoU.map { $0 ?? -1 } == [0.5, 0.5, 0, -1])
    #expect(m.validPixels == 5)

    var zero = SegmentationMetric(classes: 4, ignoreIndex: -1, absentClasses: .countAsZero)
    zero.update(predictions: preds, targets: targets)
    #expect(close(values(zero)["mIoU"]!, 0.25))

    // The same predictions as scores [N, C, H, W]; pixel 2 ties classes 1 and 2 → first (1).
    var scores = [Float](repeating: 0, count: 4 * 6)
    for (i, p) in [0, 1, 1, 2, 2, 1].enumerated() { scores[p * 6 + i] = 3 }
    scores[2 * 6 + 2] = 3
    var s = SegmentationMetric(classes: 4, ignoreIndex: -1)
    s.update(predictions: Tensor(shape: [1, 4, 2, 3], scalars: scores), targets: targets)
    #expect(s.confusion == m.confusion)
  }

  @Test("ignore index 255 and masks exclude pixels; all-ignore batches change nothing")
  func segmentationIgnoreAndMasks() {
    let targets = Tensor(shape: [1, 1, 4], scalars: [0, 255, 1, 1])
    let preds = Tensor(shape: [1, 1, 4], scalars: [0, 0, 0, 1])
    let mask = Tensor(shape: [1, 1, 1, 4], scalars: [1, 1, 0, 1])
    var m = SegmentationMetric(classes: 2, ignoreIndex: 255)
    m.update(predictions: preds, targets: targets, masks: mask)
    // Valid: pixel 0 (0→0) and pixel 3 (1→1): both classes perfect.
    #expect(values(m)["mIoU"] == 1 && values(m)["pixelAccuracy"] == 1)
    let before = m.confusion
    m.update(predictions: preds, targets: Tensor(shape: [1, 1, 4], repeating: 255))
    m.update(predictions: preds, targets: targets, masks: Tensor(shape: [1, 1, 1, 4], repeating: 0))
    #expect(m.confusion == before)

    var empty = SegmentationMetric(classes: 2, ignoreIndex: 255)
    empty.update(predictions: preds, targets: Tensor(shape: [1, 1, 4], repeating: 255))
    #expect(values(empty)["mIoU"]!.isNaN && values(empty)["pixelAccuracy"]!.isNaN)
    m.reset()
    #expect(m.validPixels == 0)
  }

  @Test("segmentation over several batches equals one big batch")
  func segmentationAccumulates() {
    var rng = RandomGenerator(seed: 3)
    let (n, c, hw) = (6, 5, 20)
    let t = (0..<(n * hw)).map { _ in Float(rng.nextInt(below: c + 1) - 1) }  // includes −1
    let p = (0..<(n * c * hw)).map { _ in rng.nextUniform() }
    var whole = SegmentationMetric(classes: c)
    whole.update(predictions: Tensor(shape: [n, c, 4, 5], scalars: p), targets: Tensor(shape: [n, 4, 5], scalars: t))
    var parts = SegmentationMetric(classes: c)
    var start = 0
    for size in [1, 3, 2] {
      let pt = Array(p[(start * c * hw)..<((start + size) * c * hw)])
      let tt = Array(t[(start * hw)..<((start + size) * hw)])
      parts.update(predictions: Tensor(shape: [size, c, 4, 5], scalars: pt), targets: Tensor(shape: [size, 4, 5], scalars: tt))
      start += size
    }
    #expect(parts.confusion == whole.confusion)
    #expect(parts.compute() == whole.compute())
  }

  // MARK: Depth

  /// Valid diffs −1, 0, +1 on targets 2, 2, 3: abs 2/3, rel (1/2 + 0 + 1/3)/3 = 5/18, RMSE √(2/3).
  @Test("depth abs, rel and RMSE by hand over valid pixels")
  func depthByHand() {
    var m = DepthMetric()
    m.update(predictions: Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 4, 0.5]),
             targets: Tensor(shape: [1, 1, 2, 2], scalars: [2, 2, 3, 0]),
             masks: Tensor(shape: [1, 1, 2, 2], scalars: [1, 1, 1, 0]))
    let v = values(m)
    #expect(close(v["absErr"]!, 2.0 / 3.0))
    #expect(close(v["relErr"]!, 5.0 / 18.0))
    #expect(close(v["rmse"]!, (2.0 / 3.0).squareRoot()))
    #expect(m.compute().allSatisfy { $0.direction == .lowerIsBetter })
  }

  /// Valid targets 0, 2, 0, 4 with predictions 1, 1, 0, 6: diffs 1, −1, 0, 2. absErr and RMSE use
  /// all four (abs 4/4 = 1, RMSE √(6/4)); relErr skips the two zero targets: (1/2 + 2/4)/2 = 1/2.
  @Test("depth relative error skips and counts zero targets instead of trapping")
  func depthSkipsZeroTargets() {
    var m = DepthMetric()
    m.update(predictions: Tensor(shape: [1, 1, 1, 4], scalars: [1, 1, 0, 6]), targets: Tensor(shape: [1, 1, 1, 4], scalars: [0, 2, 0, 4]))
    let v = values(m)
    #expect(close(v["absErr"]!, 1) && close(v["rmse"]!, (6.0 / 4).squareRoot()) && close(v["relErr"]!, 0.5))
    #expect(m.validPixels == 4 && m.zeroTargetPixels == 2)
    var zeros = DepthMetric()
    zeros.update(predictions: Tensor(shape: [3], scalars: [1, 0, 2]), targets: Tensor(shape: [3], repeating: 0))
    let z = values(zeros)
    #expect(z["relErr"]!.isNaN && close(z["absErr"]!, 1) && zeros.zeroTargetPixels == 3)
    zeros.reset()
    #expect(zeros.zeroTargetPixels == 0 && zeros.validPixels == 0)
  }

  /// Diffs 0.1, −0.2, 0 (mask drops the fourth): MAE 0.1, MSE 0.05/3, PSNR 10·log₁₀(1/MSE) with peak 1;
  /// peak 2 adds 10·log₁₀ 4. A perfect prediction has PSNR +∞.
  @Test("image regression MAE, RMSE and PSNR by hand over valid pixels")
  func imageRegressionByHand() {
    var m = ImageRegressionMetric(peak: 1)
    let p = Tensor(shape: [1, 1, 2, 2], scalars: [0.1, 0.3, 0, 9])
    let g = Tensor(shape: [1, 1, 2, 2], scalars: [0, 0.5, 0, 0])
    let mask = Tensor(shape: [1, 1, 2, 2], scalars: [1, 1, 1, 0])
    m.update(predictions: p, targets: g, masks: mask)
    let v = values(m)
    let mse = (Double(Float(0.1)) * Double(Float(0.1)) + pow(Double(Float(0.3)) - Double(Float(0.5)), 2)) / 3
    #expect(close(v["mae"]!, (Double(Float(0.1)) + Double(Float(0.5)) - Double(Float(0.3))) / 3, 1e-9))
    #expect(close(v["rmse"]!, mse.squareRoot(), 1e-9))
    #expect(close(v["psnr"]!, 10 * log10(1 / mse), 1e-9))
    #expect(m.value(named: "psnr")?.direction == .higherIsBetter && m.value(named: "mae")?.direction == .lowerIsBetter)
    var peak2 = ImageRegressionMetric(peak: 2)
    peak2.update(predictions: p, targets: g, masks: mask)
    #expect(close(values(peak2)["psnr"]!, 10 * log10(4 / mse), 1e-9))
    var perfect = ImageRegressionMetric()
    perfect.update(predictions: g, targets: g)
    #expect(values(perfect)["psnr"]! == .infinity && values(perfect)["mae"]! == 0)
    var empty = ImageRegressionMetric()
    empty.update(predictions: p, targets: g, masks: Tensor(shape: [1, 1, 2, 2], repeating: 0))
    #expect(empty.compute().allSatisfy { $0.value.isNaN })
  }

  /// Batch A: one valid pixel with error 4; batch B: three with error 0. Pooled abs error is
  /// 4/4 = 1, not the mean of batch means (4 + 0)/2 = 2.
  @Test("depth pools pixels across batches (not batch means); all-invalid batches change nothing")
  func depthPools() {
    var m = DepthMetric()
    m.update(predictions: Tensor(shape: [1, 1, 1, 2], scalars: [5, 9]), targets: Tensor(shape: [1, 1, 1, 2], scalars: [1, 1]),
             masks: Tensor(shape: [1, 1, 1, 2], scalars: [1, 0]))
    m.update(predictions: Tensor(shape: [1, 1, 1, 3], scalars: [2, 2, 2]), targets: Tensor(shape: [1, 1, 1, 3], scalars: [2, 2, 2]))
    m.update(predictions: Tensor(shape: [1, 1, 1, 3], scalars: [7, 7, 7]), targets: Tensor(shape: [1, 1, 1, 3], scalars: [2, 2, 2]),
             masks: Tensor(shape: [1, 1, 1, 3], repeating: 0))
    let v = values(m)
    #expect(close(v["absErr"]!, 1) && close(v["rmse"]!, 2) && close(v["relErr"]!, 1))
    var empty = DepthMetric()
    empty.update(predictions: Tensor(shape: [2], scalars: [1, 2]), targets: Tensor(shape: [2], scalars: [1, 1]),
                 masks: Tensor(shape: [2], repeating: 0))
    #expect(empty.compute().allSatisfy { $0.value.isNaN })
  }

  @Test("depth over several batches equals one big batch")
  func depthAccumulates() {
    var rng = RandomGenerator(seed: 5)
    let count = 4 * 30
    let p = (0..<count).map { _ in rng.nextUniform() * 5 }
    let g = (0..<count).map { _ in 0.5 + rng.nextUniform() * 5 }
    let mk = (0..<count).map { _ in Float(rng.nextInt(below: 4) == 0 ? 0 : 1) }
    var whole = DepthMetric()
    whole.update(predictions: Tensor(shape: [4, 1, 5, 6], scalars: p), targets: Tensor(shape: [4, 1, 5, 6], scalars: g),
                 masks: Tensor(shape: [4, 1, 5, 6], scalars: mk))
    var parts = DepthMetric()
    for b in 0..<4 {
      let r = (b * 30)..<((b + 1) * 30)
      parts.update(predictions: Tensor(shape: [1, 1, 5, 6], scalars: Array(p[r])), targets: Tensor(shape: [1, 1, 5, 6], scalars: Array(g[r])),
                   masks: Tensor(shape: [1, 1, 5, 6], scalars: Array(mk[r])))
    }
    #expect(parts.validPixels == whole.validPixels)
    for (a, b) in zip(parts.compute(), whole.compute()) { #expect(close(a.value, b.value, 1e-12), "\(a) vs \(b)") }
  }

  // MARK: Normals

  /// Angles 0°, 45°, 90°, 90° (zero prediction), 180°, 20°; two masked pixels hold NaN.
  /// Mean 425/6, median (45 + 90)/2, within 11.25°: 1/6, 22.5°: 2/6, 30°: 2/6.
  @Test("normal angle mean, exact median and threshold fractions by hand")
  func normalsByHand() {
    let c20 = Float(cos(20 * Double.pi / 180)), s20 = Float(sin(20 * Double.pi / 180))
    let nan = Float.nan
    // Pixels:      0  1  2  3   4   5    6    7
    let px: [Float] = [1, 1, 0, 0, -1, c20, nan, nan]
    let py: [Float] = [0, 1, 0, 0, 0, s20, nan, nan]
    let pz: [Float] = [0, 0, 2, 0, 0, 0, nan, nan]
    let gx: [Float] = [1, 1, 1, 0, 1, 1, 1, 1]
    let gy: [Float] = [0, 0, 0, 1, 0, 0, 0, 0]
    let gz: [Float] = [0, 0, 0, 0, 0, 0, 0, 0]
    var m = NormalMetric()
    m.update(predictions: Tensor(shape: [1, 3, 2, 4], scalars: px + py + pz),
             targets: Tensor(shape: [1, 3, 2, 4], scalars: gx + gy + gz),
             masks: Tensor(shape: [1, 1, 2, 4], scalars: [1, 1, 1, 1, 1, 1, 0, 0]))
    let v = values(m)
    #expect(close(v["mean"]!, 425.0 / 6.0, 1e-6))
    #expect(close(v["median"]!, 67.5, 1e-6))
    #expect(close(v["within11.25"]!, 1.0 / 6.0))
    #expect(close(v["within22.5"]!, 2.0 / 6.0))
    #expect(close(v["within30"]!, 2.0 / 6.0))
    #expect(m.compute().map(\.direction) == [.lowerIsBetter, .lowerIsBetter, .higherIsBetter, .higherIsBetter, .higherIsBetter])
  }

  @Test("the median is exact for odd and even counts, with duplicates, and pools across batches")
  func normalMedianAndPooling() {
    #expect(NormalMetric.median([3]) == 3)
    #expect(NormalMetric.median([5, 1, 3]) == 3)
    #expect(NormalMetric.median([4, 1, 3, 2]) == 2.5)
    var rng = RandomGenerator(seed: 9)
    for n in [2, 7, 100, 1001] {
      let v = (0..<n).map { _ in Float(rng.nextInt(below: 20)) }  // many duplicates
      let s = v.sorted()
      let expected = n % 2 == 1 ? Double(s[n / 2]) : (Double(s[n / 2 - 1]) + Double(s[n / 2])) / 2
      #expect(NormalMetric.median(v) == expected, "n = \(n)")
    }
    // Batch 1: one pixel at 90°; batch 2: two pixels at 0°. Pooled median 0 (not mean of medians 45).
    var m = NormalMetric()
    m.update(predictions: Tensor(shape: [1, 3, 1, 1], scalars: [0, 1, 0]), targets: Tensor(shape: [1, 3, 1, 1], scalars: [1, 0, 0]))
    m.update(predictions: Tensor(shape: [1, 3, 1, 2], scalars: [1, 1, 0, 0, 0, 0]), targets: Tensor(shape: [1, 3, 1, 2], scalars: [1, 1, 0, 0, 0, 0]))
    #expect(values(m)["median"]! == 0)
    #expect(close(values(m)["mean"]!, 30, 1e-6))
    var empty = NormalMetric()
    empty.update(predictions: Tensor(shape: [1, 3, 1, 1], scalars: [0, 1, 0]), targets: Tensor(shape: [1, 3, 1, 1], scalars: [1, 0, 0]),
                 masks: Tensor(shape: [1, 1, 1, 1], scalars: [0]))
    #expect(empty.compute().allSatisfy { $0.value.isNaN })
    m.reset()
    #expect(m.angles.isEmpty)
  }

  // MARK: Accuracy and edges

  @Test("top-1 accuracy by hand, ties to the first class, indices or scores")
  func accuracyByHand() {
    var m = AccuracyMetric(classes: 2)
    // Predicted: 1, 0, 0 (tie), 1; targets 1, 1, 0, 0 → 2 of 4.
    m.update(predictions: Tensor(shape: [4, 2], scalars: [0.1, 0.9, 0.8, 0.2, 0.5, 0.5, 0.3, 0.7]),
             targets: Tensor(shape: [4], scalars: [1, 1, 0, 0]))
    #expect(values(m)["accuracy"] == 0.5)
    m.update(predictions: Tensor(shape: [2], scalars: [1, 0]), targets: Tensor(shape: [2, 1], scalars: [1, 0]))
    #expect(values(m)["accuracy"] == 4.0 / 6.0)
    m.reset()
    #expect(values(m)["accuracy"]!.isNaN)
  }

  /// Predicted (≥ 0.5) T T F F T T vs true T F T F T F: TP 2, FP 2, FN 1 → P 1/2, R 2/3, F 4/7.
  @Test("edge F-measure at a fixed threshold by hand; no edges at all gives 0")
  func edgeByHand() {
    var m = EdgeFMeasure()
    m.update(predictions: Tensor(shape: [1, 1, 2, 3], scalars: [0.9, 0.6, 0.4, 0.2, 0.7, 0.5]),
             targets: Tensor(shape: [1, 1, 2, 3], scalars: [1, 0, 1, 0, 1, 0]))
    let v = values(m)
    #expect(close(v["precision"]!, 0.5) && close(v["recall"]!, 2.0 / 3.0) && close(v["F"]!, 4.0 / 7.0))
    // A masked batch adds nothing; a batch split gives the same counts.
    m.update(predictions: Tensor(shape: [2], scalars: [1, 1]), targets: Tensor(shape: [2], scalars: [0, 0]),
             masks: Tensor(shape: [2], scalars: [0, 0]))
    #expect(m.truePositives == 2 && m.falsePositives == 2 && m.falseNegatives == 1)
    var none = EdgeFMeasure(threshold: 0.3)
    none.update(predictions: Tensor(shape: [3], scalars: [0.1, 0.2, 0.29]), targets: Tensor(shape: [3], scalars: [0, 0, 0]))
    #expect(values(none)["F"] == 0)
  }

  // MARK: Δm

  private static func mv(_ name: String, _ v: Double, _ d: MetricDirection) -> MetricValue {
    MetricValue(name: name, value: v, direction: d)
  }

  /// IAL Table I, "Ours" against "Single task" (per-task values from the
  /// paper text, ../shared/seeds/002_*.txt).
  @Test("Δm one metric per task reproduces IAL Table I: NYUv2 −0.44 %, Cityscapes +8.22 %")
  func deltaMTableI() throws {
    let nyu = try deltaMSingleMetric(
      model: ["depth": Self.mv("rmse", 0.5751, .lowerIsBetter), "segmentation": Self.mv("mIoU", 44.60, .higherIsBetter),
              "normal": Self.mv("mean", 20.62, .lowerIsBetter)],
      baseline: ["depth": Self.mv("rmse", 0.5877, .lowerIsBetter), "segmentation": Self.mv("mIoU", 43.58, .higherIsBetter),
                 "normal": Self.mv("mean", 19.49, .lowerIsBetter)])
    #expect((nyu * 100).rounded() / 100 == -0.44, "NYUv2 Δm \(nyu)")
    let city = try deltaMSingleMetric(
      model: ["disparity": Self.mv("absErr", 0.7612, .lowerIsBetter), "part": Self.mv("mIoU", 58.48, .higherIsBetter),
              "semantic": Self.mv("mIoU", 58.63, .higherIsBetter)],
      baseline: ["disparity": Self.mv("absErr", 0.8403, .lowerIsBetter), "part": Self.mv("mIoU", 52.71, .higherIsBetter),
                 "semantic": Self.mv("mIoU", 56.22, .higherIsBetter)])
    #expect((city * 100).rounded() / 100 == 8.22, "Cityscapes Δm \(city)")
    // The paper's "Uniform" NYUv2 row prints −4.45 % but the formula gives −4.54 %.
    let uniform = try deltaMSingleMetric(
      model: ["depth": Self.mv("rmse", 0.5933, .lowerIsBetter), "segmentation": Self.mv("mIoU", 43.47, .higherIsBetter),
              "normal": Self.mv("mean", 21.91, .lowerIsBetter)],
      baseline: ["depth": Self.mv("rmse", 0.5877, .lowerIsBetter), "segmentation": Self.mv("mIoU", 43.58, .higherIsBetter),
                 "normal": Self.mv("mean", 19.49, .lowerIsBetter)])
    #expect((uniform * 100).rounded() / 100 == -4.54)
  }

  /// Segmentation: mIoU 0.44 vs 0.40 → +10 %, pixel accuracy equal → 0 %: task mean +5 %.
  /// Depth: abs err 0.45 vs 0.5 → +10 %, rel err 0.22 vs 0.2 → −10 %: task mean 0 %. Δm = 2.5 %.
  @Test("Δm per-task mean by hand, metric order irrelevant; mismatches throw")
  func deltaMPerTask() throws {
    let model: [String: [MetricValue]] = [
      "seg": [Self.mv("pixelAccuracy", 0.6, .higherIsBetter), Self.mv("mIoU", 0.44, .higherIsBetter)],
      "depth": [Self.mv("absErr", 0.45, .lowerIsBetter), Self.mv("relErr", 0.22, .lowerIsBetter)],
    ]
    let base: [String: [MetricValue]] = [
      "seg": [Self.mv("mIoU", 0.40, .higherIsBetter), Self.mv("pixelAccuracy", 0.6, .higherIsBetter)],
      "depth": [Self.mv("absErr", 0.5, .lowerIsBetter), Self.mv("relErr", 0.2, .lowerIsBetter)],
    ]
    #expect(close(try deltaMPerTaskMean(model: model, baseline: base), 2.5, 1e-9))
    let single = try deltaMSingleMetric(model: ["seg": model["seg"]![1], "depth": model["depth"]![0]],
                                        baseline: ["seg": base["seg"]![0], "depth": base["depth"]![0]])
    #expect(close(single, 10, 1e-9))

    #expect(throws: DeltaMError.self) { try deltaMPerTaskMean(model: model, baseline: ["seg": base["seg"]!]) }
    #expect(throws: DeltaMError.self) {
      try deltaMPerTaskMean(model: model, baseline: ["seg": base["seg"]!, "depth": [Self.mv("absErr", 0.5, .lowerIsBetter)]])
    }
    #expect(throws: DeltaMError.self) {
      try deltaMSingleMetric(model: ["d": Self.mv("absErr", 1, .lowerIsBetter)], baseline: ["d": Self.mv("absErr", 1, .higherIsBetter)])
    }
    #expect(throws: DeltaMError.self) {
      try deltaMSingleMetric(model: ["d": Self.mv("absErr", 1, .lowerIsBetter)], baseline: ["d": Self.mv("absErr", 0, .lowerIsBetter)])
    }
    #expect(throws: DeltaMError.self) { try deltaMSingleMetric(model: [:], baseline: [:]) }
  }
}
