import AuxData
import AuxEngine
import Testing

@Suite("Binary map metric (edges)")
struct BinaryMapMetricTests {
  /// Logits for a 2×2 map: class 1 wins at pixels 0, 1 and 3, class 0 at pixel 2.
  static let logits = Tensor(shape: [1, 2, 2, 2], scalars: [0, 0, 1, 0, 1, 1, 0, 1])
  /// Targets: edge, background, edge, ignore.
  static let targets = Tensor(shape: [1, 2, 2], scalars: [1, 0, 1, -1])

  static func values(_ m: BinaryMapMetric) -> [String: Double] {
    Dictionary(uniqueKeysWithValues: m.compute().map { ($0.name, $0.value) })
  }

  /// Pixel 0 is a true positive, 1 a false positive, 2 a false negative, 3 ignored (its positive
  /// prediction counts nowhere): precision 1/2, recall 1/2, F 1/2. Classes over the 3 valid
  /// pixels: class 0 has no true positive (IoU 0), class 1 has 1 of a union of 3 (IoU 1/3), so
  /// mIoU 1/6 and pixel accuracy 1/3.
  @Test("mIoU, pixel accuracy, F, precision and recall by hand, with an ignored pixel")
  func byHand() {
    var m = BinaryMapMetric(ignoreIndex: -1)
    m.update(predictions: Self.logits, targets: Self.targets, masks: nil)
    let v = Self.values(m)
    #expect(m.compute().map(\.name) == ["mIoU", "pixelAccuracy", "F", "precision", "recall"])
    #expect(abs(v["mIoU"]! - 1.0 / 6) < 1e-12 && abs(v["pixelAccuracy"]! - 1.0 / 3) < 1e-12)
    #expect(v["F"] == 0.5 && v["precision"] == 0.5 && v["recall"] == 0.5)
  }

  /// A zero mask at pixel 2 removes the false negative: recall 1, precision 1/2, F 2/3.
  @Test("a mask removes pixels from the F-measure; batches accumulate; reset forgets")
  func maskAndAccumulation() {
    var m = BinaryMapMetric(ignoreIndex: -1)
    m.update(predictions: Self.logits, targets: Self.targets, masks: Tensor(shape: [1, 2, 2], scalars: [1, 1, 0, 1]))
    var v = Self.values(m)
    #expect(v["recall"] == 1 && v["precision"] == 0.5 && abs(v["F"]! - 2.0 / 3) < 1e-12)
    m.update(predictions: Self.logits, targets: Self.targets, masks: nil)  // + TP 1, FP 1, FN 1
    v = Self.values(m)
    #expect(abs(v["precision"]! - 0.5) < 1e-12 && abs(v["recall"]! - 2.0 / 3) < 1e-12)
    m.reset()
    #expect(Self.values(m)["F"] == 0)
  }
}
