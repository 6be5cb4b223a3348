import AuxData
import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

/// Our metrics against numpy references computed as LibMTL / MTAN / MTI-Net do
/// (`scripts/fixtures/metrics.py`), fed in two uneven batches.
@Suite("Metric references")
struct MetricReferenceTests {
  /// Rows `range` of the leading dimension.
  static func rows(_ t: Tensor, _ range: Range<Int>) -> Tensor {
    let per = t.count / t.shape[0]
    let s = t.scalars
    return Tensor(shape: [range.count] + Array(t.shape.dropFirst()), scalars: Array(s[(range.lowerBound * per)..<(range.upperBound * per)]))
  }

  static func feed(_ m: inout some Metric, _ p: Tensor, _ t: Tensor, _ mask: Tensor?) {
    for r in [0..<1, 1..<p.shape[0]] {
      m.update(predictions: rows(p, r), targets: rows(t, r), masks: mask.map { rows($0, r) })
    }
  }

  static func expectClose(_ got: [MetricValue], _ expected: [Float], _ what: String) {
    #expect(got.count == expected.count)
    for (g, e) in zip(got, expected) {
      #expect(abs(g.value - Double(e)) <= 1e-6 * max(1, abs(Double(e))), "\(what) \(g.name): \(g.value) vs numpy \(e)")
    }
  }

  @Test("every metric matches its numpy reference")
  func matchesNumpy() throws {
    let f = try Fixtures.load("metrics")
    func t(_ k: String) throws -> Tensor { try f.tensor(k, file: "metrics.safetensors") }

    var seg = SegmentationMetric(classes: 5)
    Self.feed(&seg, try t("seg_scores"), try t("seg_target"), nil)
    Self.expectClose(seg.compute(), [try t("seg_miou").item, try t("seg_pixacc").item], "segmentation")
    #expect(seg.perClassIoU[4] == nil)
    var segZero = SegmentationMetric(classes: 5, absentClasses: .countAsZero)
    Self.feed(&segZero, try t("seg_scores"), try t("seg_target"), nil)
    Self.expectClose([segZero.compute()[0]], [try t("seg_miou_zero").item], "segmentation (absent = 0)")

    var depth = DepthMetric()
    Self.feed(&depth, try t("depth_pred"), try t("depth_target"), try t("depth_mask"))
    Self.expectClose(depth.compute(), [try t("depth_abs").item, try t("depth_rel").item, try t("depth_rmse").item], "depth")

    var normal = NormalMetric()
    Self.feed(&normal, try t("normal_pred"), try t("normal_target"), try t("normal_mask"))
    // Angles are stored as Float for the median: compare it to 1e-5 relative.
    let nv = normal.compute(), ne = try t("normal_stats").scalars
    Self.expectClose([nv[0]] + Array(nv[2...]), [ne[0]] + Array(ne[2...]), "normal")
    #expect(abs(nv[1].value - Double(ne[1])) <= 1e-5 * Double(ne[1]), "normal median \(nv[1].value) vs numpy \(ne[1])")

    var acc = AccuracyMetric(classes: 6)
    Self.feed(&acc, try t("cls_scores"), try t("cls_target"), nil)
    Self.expectClose(acc.compute(), [try t("cls_accuracy").item], "accuracy")

    var edge = EdgeFMeasure()
    Self.feed(&edge, try t("edge_pred"), try t("edge_target"), nil)
    Self.expectClose(edge.compute(), try t("edge_stats").scalars, "edge")
  }
}
