import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@testable import AuxTraining

/// The report's statistics: Student-t quantiles and paired-t intervals against SciPy
/// (`scripts/fixtures/statistics.py`), and the paired comparisons, verdicts and mean ranks of a
/// hand-made experiment against numbers computed by hand.
@Suite("Report statistics")
struct ReportStatisticsTests {
  static func doubles(_ a: SafetensorsArchive, _ key: String) throws -> [Double] {
    try a.tensor(key).scalars.map(Double.init)
  }

  /// The fixture stores Float64 values; they are read back as Float32, hence the 1e-6 tolerance.
  static func close(_ a: Double?, _ b: Double, _ rtol: Double = 2e-6) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= rtol * max(1, abs(b))
  }

  @Test("Student-t quantiles and CDF match scipy.stats.t for small and fractional degrees of freedom")
  func studentT() throws {
    let f = try Fixtures.load("statistics")
    let df = try Self.doubles(f, "t_df"), p = try Self.doubles(f, "t_p"), q = try Self.doubles(f, "t_quantile")
    #expect(df.count == q.count && q.count > 50)
    for i in df.indices {
      let ours = StudentT.quantile(p[i], degreesOfFreedom: df[i])
      #expect(Self.close(ours, q[i]), "t.ppf(\(p[i]), \(df[i])): ours \(ours), scipy \(q[i])")
    }
    let cdfDF = try Self.doubles(f, "cdf_df"), cdfT = try Self.doubles(f, "cdf_t"), cdfV = try Self.doubles(f, "cdf_value")
    for i in cdfDF.indices {
      let ours = StudentT.cdf(cdfT[i], degreesOfFreedom: cdfDF[i])
      #expect(abs(ours - cdfV[i]) <= 1e-6, "t.cdf(\(cdfT[i]), \(cdfDF[i])): ours \(ours), scipy \(cdfV[i])")
    }
    // Exact forms, in full Double precision: ν = 1 is Cauchy, ν = 2 has a closed form.
    #expect(abs(StudentT.quantile(0.975, degreesOfFreedom: 1) - tan(Double.pi * 0.475)) < 1e-10)
    let p2 = 0.975
    #expect(abs(StudentT.quantile(p2, degreesOfFreedom: 2) - (2 * p2 - 1) * (2 / (4 * p2 * (1 - p2))).squareRoot()) < 1e-10)
  }

  @Test("paired 95 % intervals match scipy.stats.ttest_rel(...).confidence_interval")
  func pairedIntervals() throws {
    let f = try Fixtures.load("statistics")
    for i in 0..<4 {
      let a = try Self.doubles(f, "paired\(i)_a"), b = try Self.doubles(f, "paired\(i)_b"), ref = try Self.doubles(f, "paired\(i)_ci")
      let seeds = a.indices.map(UInt64.init)
      let d = try #require(PairedDifference(
        Dictionary(uniqueKeysWithValues: zip(seeds, a)), minus: Dictionary(uniqueKeysWithValues: zip(seeds, b))))
      #expect(d.count == a.count)
      #expect(Self.close(d.mean, ref[0]) && Self.close(d.lower, ref[1]) && Self.close(d.upper, ref[2]), "sample \(i): \(d) vs scipy \(ref)")
      #expect(d.isSignificant == (ref[3] < 0.05), "sample \(i): p = \(ref[3])")
    }
    // One pair: no interval, never significant; seeds not shared are dropped.
    let one = try #require(PairedDifference([0: 2, 7: 5], minus: [0: 1, 3: 0]))
    #expect(one.count == 1 && one.mean == 1 && one.lower == nil && !one.isSignificant && one.seeds == [0])
    #expect(PairedDifference([1: 2], minus: [2: 1]) == nil)
  }

  /// Single-task semantic mIoU 0.40, 0.50, 0.60 (seeds 0, 1, 2); IAL 0.44, 0.56, 0.63
  /// (paired Δm +10, +12, +5 %); EW 0.38, 0.52, 0.60 (−5, +4, 0 %).
  static func experiment(_ label: String) throws -> HandMadeExperiment {
    let x = try HandMadeExperiment(label)
    let base = [0.40, 0.50, 0.60], ial = [0.44, 0.56, 0.63], ew = [0.38, 0.52, 0.60]
    for s in 0..<3 {
      let seed = UInt64(s)
      try x.run("single-task", primary: ["semantic"], tasks: ["semantic"], seed: seed, semantic: (base[s], 0.8))
      try x.run("single-task", primary: ["depth"], tasks: ["depth"], seed: seed, depth: (0.5, 0.6))
      try x.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: seed, semantic: (ial[s], 0.8), depth: (0.5, 0.6))
      try x.run("ew", primary: ["semantic"], tasks: ["semantic", "depth"], seed: seed, semantic: (ew[s], 0.8), depth: (0.5, 0.6))
    }
    return x
  }

  @Test("paired Δm per seed against the same-seed single-task run, t intervals against single-task and EW")
  func pairedComparisons() throws {
    let x = try Self.experiment("paired")
    defer { x.remove() }
    let report = try ExperimentReport.load(experiment: x.directory)
    let t = try #require(report.tables.first)
    #expect(t.deltaMColumns.first == DeltaMColumn(scope: .primary, variant: .singleMetric))
    let ial = try #require(t.rows.first { $0.variant.method == "ial" }).deltaM[0]
    let ew = try #require(t.rows.first { $0.variant.method == "ew" }).deltaM[0]
    #expect(Self.close(ial.pairedPerSeed[0], 10, 1e-9) && Self.close(ial.pairedPerSeed[1], 12, 1e-9) && Self.close(ial.pairedPerSeed[2], 5, 1e-9))
    // mean 9, sd √13, t₀.₉₇₅,₂ = 4.302652729911275 (scipy.stats.t.ppf(0.975, 2)).
    let half = 4.302652729911275 * 13.0.squareRoot() / 3.0.squareRoot()
    let st = try #require(ial.versusSingleTask)
    #expect(st.count == 3 && Self.close(st.mean, 9, 1e-9) && Self.close(st.lower, 9 - half, 1e-9) && Self.close(st.upper, 9 + half, 1e-9))
    #expect(st.isSignificant)
    let ewST = try #require(ew.versusSingleTask)
    #expect(Self.close(ewST.mean, -1 / 3, 1e-9) && !ewST.isSignificant)
    #expect(ew.versusEqualWeighting == nil)
    // IAL − EW per seed: 15, 8, 5 → mean 28/3, sd √(( (17/3)² + (4/3)² + (13/3)² ) / 2).
    let vsEW = try #require(ial.versusEqualWeighting)
    let sd = ((pow(17.0 / 3, 2) + pow(4.0 / 3, 2) + pow(13.0 / 3, 2)) / 2).squareRoot()
    #expect(Self.close(vsEW.mean, 28.0 / 3, 1e-9) && Self.close(vsEW.standardDeviation, sd, 1e-9))
    #expect(Self.close(vsEW.upper, 28.0 / 3 + 4.302652729911275 * sd / 3.0.squareRoot(), 1e-9))
    #expect(vsEW.isSignificant == (28.0 / 3 - 4.302652729911275 * sd / 3.0.squareRoot() > 0))

    let verdicts = t.verdicts()
    let ialLine = try #require(verdicts.first { $0.hasPrefix("ial:") })
    #expect(ialLine.contains("better than single-task by 9.00 %") && ialLine.contains("significant at 5 % over n=3 paired seeds"))
    let ewLine = try #require(verdicts.first { $0.hasPrefix("ew:") })
    #expect(ewLine.contains("no difference from single-task detectable at 5 % over n=3 paired seeds") && !ewLine.contains("from ew"))
    // The outputs carry them.
    #expect(report.markdown().contains(ialLine) && report.consoleText().contains(ialLine))
    #expect(report.markdown().contains(st.text) && st.text.hasSuffix("*"))
    let csv = report.table1CSV().split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let col = try #require(csv[0].firstIndex(of: "delta_m_primary_single_metric_vs_single_task_lower"))
    let ialCSV = try #require(csv.first { $0.count > 3 && $0[2] == "semantic" && $0[3] == "ial" })
    #expect(Self.close(Double(ialCSV[col]), 9 - half, 1e-9))
    #expect(ialCSV[col + 3] == "true")
  }

  @Test("a seed without a single-task run is left out of the pairing, with a note")
  func unpairedSeed() throws {
    let x = try Self.experiment("unpaired")
    defer { x.remove() }
    try x.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: 9, semantic: (0.9, 0.8), depth: (0.5, 0.6))
    let t = try #require(try ExperimentReport.load(experiment: x.directory).tables.first)
    let ial = try #require(t.rows.first { $0.variant.method == "ial" }).deltaM[0]
    #expect(ial.versusSingleTask?.seeds == [0, 1, 2] && ial.pairedPerSeed[9] == nil)
    #expect(t.notes.contains { $0.contains("only the seeds with a single-task run of every task (3 of 4)") })
  }

  @Test("mean rank: by headline Δm, single-task at 0, ties sharing their mean rank")
  func meanRank() throws {
    let x = try Self.experiment("rank")
    defer { x.remove() }
    let ranks = try ExperimentReport.load(experiment: x.directory).ranks
    #expect(ranks.settings.first == "scenes: primary semantic")
    let byName = Dictionary(uniqueKeysWithValues: ranks.rows.map { ($0.variant.method, $0.ranks[0]) })
    // Seed means: IAL 0.5433 (+8.67 %), EW 0.50 (+0 %), single-task 0.50 (0): EW and single-task tie.
    #expect(byName["ial"] == 1 && byName["ew"] == 2.5 && byName["single-task"] == 2.5)
    #expect(ranks.rows.first?.variant.method == "ial")
    #expect(MeanRankTable.ranks([(.singleTask, 0), (MethodVariant(method: "ew", options: [:]), 1), (MethodVariant(method: "uw", options: [:]), 1)])
      == [.singleTask: 3, MethodVariant(method: "ew", options: [:]): 1.5, MethodVariant(method: "uw", options: [:]): 1.5])
  }
}
