import AuxTraining
import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Parses XML and counts elements by name; records the parser's error.
final class ElementCounter: NSObject, XMLParserDelegate {
  var counts: [String: Int] = [:]
  /// The text between tags, joined across the parser's chunks.
  var texts: [String] = []
  var error: Error?
  private var root: String?
  private var buffer = ""

  private func flush() {
    if !buffer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { texts.append(buffer) }
    buffer = ""
  }

  static func parse(_ text: String) -> ElementCounter {
    let counter = ElementCounter()
    let parser = XMLParser(data: Data(text.utf8))
    parser.delegate = counter
    if !parser.parse() { counter.error = parser.parserError ?? counter.error ?? NSError(domain: "xml", code: 1) }
    counter.flush()
    return counter
  }

  var rootElement: String? { root }

  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
    flush()
    if root == nil { root = name }
    counts[name, default: 0] += 1
    if let c = attributes["class"] { counts[".\(c)", default: 0] += 1 }
  }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { flush() }

  func parser(_ parser: XMLParser, foundCharacters string: String) { buffer += string }

  func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
}

/// The report's files: well-formed HTML and SVG, and tables that say what the numbers say.
@Suite("Report output")
struct ReportOutputTests {
  @Test("a line plot is well-formed SVG with one line per series, bands, ticks, labels and a legend")
  func linePlot() throws {
    let plot = LinePlot(
      title: "Validation <mIoU> & \"loss\"", xLabel: "epoch", yLabel: "mIoU",
      series: [
        LinePlot.Series(
          name: "ial", color: "#0072B2",
          points: (1...10).map { LinePlot.Point(x: Double($0), y: 0.3 + 0.01 * Double($0)) },
          band: (1...10).map { LinePlot.BandPoint(x: Double($0), low: 0.29 + 0.01 * Double($0), high: 0.31 + 0.01 * Double($0)) }),
        LinePlot.Series(
          name: "ew", color: "#D55E00",
          points: [LinePlot.Point(x: 1, y: 0.2), LinePlot.Point(x: 2, y: .nan), LinePlot.Point(x: 3, y: 0.25), LinePlot.Point(x: 4, y: 0.3)]),
        LinePlot.Series(name: "single-task", color: "#555555", points: [LinePlot.Point(x: 5, y: 0.35)], dashed: true),
      ])
    let svg = plot.svg()
    let c = ElementCounter.parse(svg)
    #expect(c.error == nil, "\(String(describing: c.error))")
    #expect(c.rootElement == "svg")
    // ew is broken by its NaN into a one-point segment (a marker) and a line; the lone point is a marker.
    #expect(c.counts["polyline"] == 2 && c.counts["circle"] == 2)
    #expect(c.counts["polygon"] == 1)
    #expect(c.counts[".legend-item"] == 3)
    #expect((c.counts[".tick"] ?? 0) >= 6 && c.counts[".tick-label"] == c.counts[".tick"])
    #expect(c.counts[".axis-label"] == 2 && c.counts["title"] == 1)
    #expect(c.texts.contains("Validation <mIoU> & \"loss\""))
    #expect(svg.contains("stroke-dasharray"))
    #expect(!svg.contains("<script") && !svg.contains("href"))
  }

  @Test("axis ticks are 1-2-5 steps covering the data")
  func ticks() throws {
    // Indirectly through the SVG's tick labels: 0.31 … 0.4 gives ticks 0.30, 0.32, …, 0.40.
    let plot = LinePlot(title: "t", xLabel: "x", yLabel: "y", series: [
      LinePlot.Series(name: "a", color: "#000000", points: [LinePlot.Point(x: 1, y: 0.31), LinePlot.Point(x: 10, y: 0.4)])
    ])
    let c = ElementCounter.parse(plot.svg())
    #expect(c.error == nil)
    for label in ["0.30", "0.32", "0.34", "0.36", "0.38", "0.40", "0", "2", "4", "6", "8", "10"] {
      #expect(c.texts.contains(label), "missing tick label \(label)")
    }
  }

  @Test("report.html is well-formed XHTML with every table and plot, and no script or external resource")
  func html() throws {
    let x = try HandMadeExperiment.standard("html")
    defer { x.remove() }
    let report = try ExperimentReport.load(experiment: x.directory)
    let out = x.directory.appendingPathComponent("report")
    let files = try report.write(to: out)
    let text = try String(contentsOf: files.html, encoding: .utf8)
    let c = ElementCounter.parse(text)
    #expect(c.error == nil, "\(String(describing: c.error))")
    #expect(c.rootElement == "html")
    // Tables: three Table I (primary semantic, primary depth, auxiliary setting), each followed by
    // its paired comparisons, the mean rank, Table II, runs left out.
    #expect(c.counts["table"] == 9)
    #expect(text.contains("<ul class=\"verdicts\">") && text.contains("Mean rank across settings"))
    // Plots: per primary set, validation metric and training loss (2 + 2); weights: primary
    // semantic: ial's five families + ew's weight, primary depth: ial's five.
    #expect(c.counts["svg"] == 15)
    #expect(c.counts["figure"] == 15)
    let titles = c.texts.filter { $0.contains("over training") }
    for family in ["weight", "decoder_weight", "encoder_weight", "norm_ratio", "sigma"] {
      #expect(titles.contains { $0.contains("ial: \(family) over training") }, "no \(family) plot")
    }
    #expect(!text.contains("src=") && !text.contains("<link") && !text.contains("<script"))
    let urls = text.components(separatedBy: "http").count - 1
    #expect(urls == c.counts["svg"]! + 1, "only the XHTML and SVG namespace URIs may appear")
    // The Table I legend and a value.
    #expect(c.texts.contains("0.4600 ± 0.0100"))
  }

  @Test("Markdown, CSV and console tables carry the same numbers")
  func textForms() throws {
    let x = try HandMadeExperiment.standard("text")
    defer { x.remove() }
    let report = try ExperimentReport.load(experiment: x.directory)
    let md = report.markdown()
    #expect(md.contains("### scenes: primary semantic"))
    #expect(md.contains("| Method | Seeds | semantic mIoU ↑ | depth absErr ↓ | Δm primary (single metric) % |"))
    let dm = 100 * 0.04 / 0.42
    let perSeedSD = 100 * 0.01 / 0.42
    #expect(md.contains("| ial | 3 | 0.4600 ± 0.0100 | 0.5000 ± 0.0200 | \(String(format: "%+.2f", dm)) (\(String(format: "%+.2f", dm)) ± \(String(format: "%.2f", perSeedSD))) |"))
    #expect(md.contains("| single-task | per task | 0.4200 ± 0.0283 (n=2) | 0.5200 ± 0.0283 (n=2) | ref. |"))
    #expect(md.contains("## Table II: training time") && md.contains("| scenes | ew | 2 | 4 | 1.100 ± 0.000 | 1.00× |"))

    // CSV: parse the ial line of the primary-semantic table.
    let csv = report.table1CSV().split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let header = csv[0]
    let ialLine = try #require(csv.first { $0.count > 4 && $0[0] == "scenes" && $0[1] == "primary set" && $0[2] == "semantic" && $0[3] == "ial" })
    func field(_ name: String) throws -> Double {
      let i = try #require(header.firstIndex(of: name), "no column \(name)")
      return try #require(Double(ialLine[i]), "\(name) = \(ialLine[i])")
    }
    #expect(ialLine.count == header.count)
    let mean = try field("semantic/mIoU_mean"), std = try field("semantic/mIoU_std"), n = try field("semantic/mIoU_n")
    let delta = try field("delta_m_primary_single_metric"), deltaSD = try field("delta_m_primary_single_metric_seed_std")
    #expect(abs(mean - 0.46) < 1e-12 && abs(std - 0.01) < 1e-12 && n == 3)
    #expect(abs(delta - dm) < 1e-9 && abs(deltaSD - perSeedSD) < 1e-9)
    #expect(header.last == "notes")

    let t2 = report.table2CSV().split(separator: "\n").map(String.init)
    #expect(t2[0] == "dataset,method,options,runs,epochs,seconds_per_epoch_mean,seconds_per_epoch_std,ratio_to_ew,cpu_seconds_per_epoch_mean,cpu_seconds_per_epoch_std,cpu_ratio_to_ew,load_average_mean,load_differs_from_ew")
    let ewLine = try #require(t2.first { $0.hasPrefix("scenes,ew,,2,4,") }).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let ewSeconds = try #require(Double(ewLine[5]))
    #expect(abs(ewSeconds - 1.1) < 1e-12 && ewLine[7] == "1.0")

    let console = report.consoleText()
    #expect(console.contains("scenes: primary semantic\n"))
    #expect(console.contains("0.4600 ± 0.0100") && console.contains("Training time") && console.contains("Runs left out"))
    // Columns line up: every line of a table block has its cells at the header's offsets.
    let block = console.components(separatedBy: "\n\n")[1].split(separator: "\n").map(String.init)
    #expect(block[2].hasPrefix("────"))
  }

  @Test("long step logs are cut into 400 bins; each point is the mean over runs of the bin means, the band their range")
  func binning() throws {
    let x = try HandMadeExperiment("binning")
    defer { x.remove() }
    for seed: UInt64 in [0, 1] {
      let folder = try x.run("ew", primary: ["semantic"], tasks: ["semantic", "depth"], seed: seed, semantic: (0.4, 0.8), depth: (0.5, 0.7))
      try FileManager.default.removeItem(at: folder.stepsURL)
      for step in 0..<1000 {
        let v = Double(step) + 2 * Double(seed)
        try folder.append(StepRecord(step: step, epoch: 1, losses: [:], values: ["weight/semantic": v], learningRate: 0.1), to: folder.stepsURL)
      }
    }
    let report = try ExperimentReport.load(experiment: x.directory)
    let plot = try #require(report.figures.sections.flatMap(\.plots).first { $0.title.hasPrefix("ew: weight") })
    let line = try #require(plot.series.first)
    #expect(line.name == "semantic" && line.points.count == 400)
    #expect(line.points.allSatisfy { abs($0.y - ($0.x + 1)) < 1e-9 })
    let band = try #require(line.band)
    #expect(band.count == 400 && band.allSatisfy { abs($0.low - $0.x) < 1e-9 && abs($0.high - ($0.x + 2)) < 1e-9 })
    #expect(line.points.first!.x < 2 && line.points.last!.x > 997)
  }

  @Test("CSV fields with commas and quotes are quoted")
  func csvQuoting() throws {
    let x = try HandMadeExperiment("csv")
    defer { x.remove() }
    try x.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: 0, semantic: (0.4, 0.8), depth: (0.5, 0.7), options: ["ema_smooth": "0.5", "eps": "1e-8,\"x\""])
    let csv = try ExperimentReport.load(experiment: x.directory).table1CSV()
    #expect(csv.contains("\"ema_smooth=0.5;eps=1e-8,\"\"x\"\"\""))
  }
}
