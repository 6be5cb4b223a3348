import Foundation
import Testing

@testable import AuxTraining

/// A series of experiments (`auxmtl report A B ...`): the primary metric per method and setting,
/// the paired Δm against each experiment's own single-task runs, checked against numbers worked
/// out by hand, and the refusals when experiments cannot be put side by side.
@Suite("Series report")
struct SeriesReportTests {
  /// Two experiments, primary `semantic`, seeds 0–2. Single-task mIoU 0.40, 0.42, 0.44 in both.
  /// Rate 0: IAL 0.44, 0.42, 0.48 → per-seed Δm +10 %, 0 %, +9.0909… %.
  /// Rate 0.5: IAL 0.40, 0.43, 0.44 → 0 %, +2.3810 %, 0 %; EW only there (0.38, 0.42, 0.44).
  static func experiments() throws -> [HandMadeExperiment] {
    let a = try HandMadeExperiment("series-a")
    let b = try HandMadeExperiment("series-b")
    let single = [0.40, 0.42, 0.44]
    for (seed, v) in single.enumerated() {
      for x in [a, b] { try x.run("single-task", primary: ["semantic"], tasks: ["semantic"], seed: UInt64(seed), semantic: (v, 0.9)) }
    }
    for (seed, v) in [0.44, 0.42, 0.48].enumerated() {
      try a.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: UInt64(seed), semantic: (v, 0.9), depth: (1, 2))
    }
    for (seed, v) in [0.40, 0.43, 0.44].enumerated() {
      try b.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: UInt64(seed), semantic: (v, 0.9), depth: (1, 2))
    }
    for (seed, v) in [0.38, 0.42, 0.44].enumerated() {
      try b.run("ew", primary: ["semantic"], tasks: ["semantic", "depth"], seed: UInt64(seed), semantic: (v, 0.9), depth: (1, 2))
    }
    return [a, b]
  }

  @Test("metric means and paired Δm per setting equal the hand computation; a method missing at a setting is —")
  func values() throws {
    let xs = try Self.experiments()
    defer { xs.forEach { $0.remove() } }
    let s = try SeriesReport.load(experiments: xs.map(\.directory), labels: ["0", "0.5"], setting: "noise rate")
    #expect(s.column.task == "semantic" && s.column.metric == "mIoU")
    #expect(s.variants.map(\.method) == ["ial", "ew", "single-task"])
    let ial = MethodVariant(method: "ial", options: [:]), ew = MethodVariant(method: "ew", options: [:])
    #expect(abs(s.summary(ial, at: s.points[0])!.mean - (0.44 + 0.42 + 0.48) / 3) < 1e-12)
    let d0 = try #require(s.versusSingleTask(ial, at: s.points[0]))
    #expect(abs(d0.mean - (10 + 0 + 100 * 0.04 / 0.44) / 3) < 1e-9)
    #expect(d0.count == 3 && d0.lower! < d0.mean && d0.upper! > d0.mean)
    let d1 = try #require(s.versusSingleTask(ial, at: s.points[1]))
    #expect(abs(d1.mean - 100 * 0.01 / 0.42 / 3) < 1e-9)
    #expect(s.summary(ew, at: s.points[0]) == nil)
    let grids = s.textGrids()
    #expect(grids[0].header == ["Method", "noise rate 0", "noise rate 0.5"])
    #expect(grids[0].rows[1] == ["ew", "—", "0.4133 ± 0.0306 (n=3)"])
    #expect(grids[1].rows.map { $0[0] } == ["ial", "ew"])
    #expect(grids[1].rows[0][1].hasPrefix("+6.36 ["))
    // CSV: one line per method present at each setting (ial, single-task at 0; ial, ew, single-task at 0.5).
    let lines = s.csv().split(separator: "\n")
    #expect(lines.count == 1 + 2 + 3)
    #expect(lines[1].hasPrefix("0,exp,ial,3,0.4466666"))
    // The plot is to scale (numeric labels), single-task dashed.
    let plot = s.plot()
    #expect(plot.series.map(\.name) == ["ial", "ew", "single-task"])
    #expect(plot.series[0].points.map(\.x) == [0, 0.5])
    #expect(plot.series[1].points.map(\.x) == [0.5])
    #expect(plot.series[2].dashed)
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("auxmtl-series-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: out) }
    let files = try s.write(to: out)
    #expect(files.map(\.lastPathComponent) == ["series.md", "series.csv", "series.svg", "series.html"])
    let html = try String(contentsOf: files[3], encoding: .utf8)
    #expect(html.contains("<svg") && html.contains("noise rate 0.5"))
  }

  @Test("non-numeric labels put the experiments in order; the default folder is named after the shared prefix")
  func labelsAndFolder() throws {
    let xs = try Self.experiments()
    defer { xs.forEach { $0.remove() } }
    let s = try SeriesReport.load(experiments: xs.map(\.directory), labels: ["clean", "noisy"], setting: "labels")
    #expect(s.points.allSatisfy { $0.value == nil })
    #expect(s.plot().series[0].points.map(\.x) == [0, 1])
    let runs = URL(fileURLWithPath: "/tmp/runs")
    let names = ["scenes-noise-0", "scenes-noise-0.3", "scenes-noise-0.7"].map { runs.appendingPathComponent($0) }
    #expect(SeriesReport.defaultFolder(for: names).path == "/tmp/runs/scenes-noise-series")
    #expect(SeriesReport.defaultFolder(for: ["a", "b"].map { runs.appendingPathComponent($0) }).path == "/tmp/runs/series")
  }

  @Test("wrong label count, one folder, a different primary, or an empty experiment are refused with the folder named")
  func refusals() throws {
    let xs = try Self.experiments()
    defer { xs.forEach { $0.remove() } }
    #expect(throws: SeriesReportError.self) { try SeriesReport.load(experiments: xs.map(\.directory), labels: ["0"], setting: "r") }
    #expect(throws: SeriesReportError.self) { try SeriesReport.load(experiments: [xs[0].directory], setting: "r") }
    let other = try HandMadeExperiment("series-depth")
    defer { other.remove() }
    try other.run("ial", primary: ["depth"], tasks: ["semantic", "depth"], seed: 0, semantic: (0.4, 0.9), depth: (1, 2))
    do {
      _ = try SeriesReport.load(experiments: [xs[0].directory, other.directory], setting: "r")
      Issue.record("a series of different primaries was accepted")
    } catch let e as SeriesReportError {
      #expect(e.description.contains(other.directory.path) && e.description.contains("semantic"))
    }
    let empty = try HandMadeExperiment("series-empty")
    defer { empty.remove() }
    // A folder with no run at all is refused by the experiment loader; one whose runs all failed by the series.
    let e1 = #expect(throws: (any Error).self) { try SeriesReport.load(experiments: [xs[0].directory, empty.directory], setting: "r") }
    #expect("\(e1!)".contains(empty.directory.path))
    try empty.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: 0, status: .failed, error: "boom")
    let e2 = #expect(throws: SeriesReportError.self) { try SeriesReport.load(experiments: [xs[0].directory, empty.directory], setting: "r") }
    #expect(e2!.description.contains(empty.directory.path))
  }
}
