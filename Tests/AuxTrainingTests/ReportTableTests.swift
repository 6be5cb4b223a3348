import AuxTraining
import Foundation
import Testing

private func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-9) -> Bool {
  guard let a else { return false }
  return abs(a - b) <= tol * Swift.max(1, abs(b))
}

private func row(_ t: ResultsTable, _ method: String) throws -> ResultRow {
  try #require(t.rows.first { $0.variant.method == method }, "no \(method) row in \(t.title)")
}

private func column(_ t: ResultsTable, _ task: String) throws -> Int {
  try #require(t.columns.firstIndex { $0.task == task })
}

private func deltaColumn(_ t: ResultsTable, _ scope: DeltaMScope, _ variant: DeltaMVariant) throws -> Int {
  try #require(t.deltaMColumns.firstIndex(of: DeltaMColumn(scope: scope, variant: variant)))
}

/// Table I and Table II arithmetic on run folders written by hand, against hand-computed numbers
/// (see ``HandMadeExperiment/standard(_:withDepthBaseline:)`` for the values).
@Suite("Report tables")
struct ReportTableTests {
  @Test("sample summary: mean, n − 1 standard deviation, none for one value")
  func sampleSummary() throws {
    let s = try #require(SampleSummary([2, 4, 4, 4, 5, 5, 7, 9]))
    #expect(s.mean == 5 && s.count == 8 && s.minimum == 2 && s.maximum == 9)
    #expect(close(s.standardDeviation, (32.0 / 7.0).squareRoot()))  // Σ(x−5)² = 32, n − 1 = 7
    #expect(SampleSummary([3])?.standardDeviation == nil)
    #expect(SampleSummary([]) == nil)
  }

  @Test("runs still running or failed are left out and listed; the rest are counted")
  func exclusions() throws {
    let x = try HandMadeExperiment.standard("exclusions")
    defer { x.remove() }
    let runs = try ExperimentRuns.load(from: x.directory)
    #expect(runs.included.count == 11)
    #expect(runs.excluded.map(\.status).sorted() == ["failed", "running"])
    let failed = try #require(runs.excluded.first { $0.status == "failed" })
    #expect(failed.id == "ew-semantic-s2" && failed.reason.contains("loss became NaN at step 12"))
    let running = try #require(runs.excluded.first { $0.status == "running" })
    #expect(running.id == "ial-semantic-s3" && running.reason.contains("1 of 2 epochs") && running.reason.contains("--resume"))
    // The running run's (absurd) metrics do not enter the ial row.
    let report = ExperimentReport(runs: runs)
    let t = report.tables[0]
    #expect(try row(t, "ial").runCount == 3 && row(t, "ew").runCount == 2)
    #expect(report.markdown().contains("| ial-semantic-s3 | running |"))
  }

  @Test("a folder without runs, or not a folder, is an error naming it")
  func emptyFolder() throws {
    let x = try HandMadeExperiment("empty")
    defer { x.remove() }
    #expect(throws: (any Error).self) { try ExperimentRuns.load(from: x.directory) }
    #expect(throws: (any Error).self) { try ExperimentRuns.load(from: x.directory.appendingPathComponent("nope")) }
  }

  @Test("primary-set table: columns, mean ± sample std over seeds, the single-task row")
  func metricCells() throws {
    let x = try HandMadeExperiment.standard("cells")
    defer { x.remove() }
    let report = try ExperimentReport.load(experiment: x.directory)
    #expect(report.tables.count == 3)
    let t = report.tables[0]
    #expect(t.kind == .primarySet(["semantic"]) && t.title == "scenes: primary semantic")
    #expect(t.columns.map(\.title) == ["semantic mIoU ↑", "depth absErr ↓"])
    #expect(t.rows.map(\.variant.method) == ["single-task", "ial", "ew"])

    let sem = try column(t, "semantic"), dep = try column(t, "depth")
    let ial = try row(t, "ial")
    #expect(close(ial.cells[sem].summary?.mean, 0.46) && close(ial.cells[sem].summary?.standardDeviation, 0.01))
    #expect(close(ial.cells[dep].summary?.mean, 0.50) && close(ial.cells[dep].summary?.standardDeviation, 0.02))
    #expect(ial.cells[sem].summary?.count == 3)
    let ew = try row(t, "ew")
    #expect(close(ew.cells[sem].summary?.mean, 0.42) && close(ew.cells[sem].summary?.standardDeviation, 0.02.squareRoot() * 0.1))
    // Single-task row: each task from its own runs; Δm marked as the reference.
    let base = try row(t, "single-task")
    #expect(base.runCount == nil && close(base.cells[sem].summary?.mean, 0.42) && close(base.cells[dep].summary?.mean, 0.52))
    #expect(base.deltaM.allSatisfy { $0.isReference })
  }

  @Test("Δm in both variants, primary and all tasks, with the sign of each metric's direction")
  func deltaM() throws {
    let x = try HandMadeExperiment.standard("deltam")
    defer { x.remove() }
    let t = try ExperimentReport.load(experiment: x.directory).tables[0]
    #expect(t.deltaMColumns.count == 4)
    let ps = try deltaColumn(t, .primary, .singleMetric), pp = try deltaColumn(t, .primary, .perTaskMean)
    let ases = try deltaColumn(t, .allTasks, .singleMetric), ap = try deltaColumn(t, .allTasks, .perTaskMean)
    let ial = try row(t, "ial")
    // Primary, single metric: (0.46 − 0.42) / 0.42.
    #expect(close(ial.deltaM[ps].value, 100 * 0.04 / 0.42))
    // Primary, per-task mean: mIoU and pixel accuracy (0.84 vs 0.81).
    #expect(close(ial.deltaM[pp].value, 100 * (0.04 / 0.42 + 0.03 / 0.81) / 2))
    // All tasks, single metric: depth absErr 0.50 vs 0.52 is lower, so better: + 0.02 / 0.52.
    #expect(close(ial.deltaM[ases].value, 100 * (0.04 / 0.42 + 0.02 / 0.52) / 2))
    // All tasks, per-task mean: depth also rmse 0.70 vs 0.72.
    let semantic = (0.04 / 0.42 + 0.03 / 0.81) / 2, depth = (0.02 / 0.52 + 0.02 / 0.72) / 2
    #expect(close(ial.deltaM[ap].value, 100 * (semantic + depth) / 2))
    // Per seed (primary, single metric): 0.45, 0.46, 0.47 against 0.42.
    let perSeed = [0.03, 0.04, 0.05].map { 100 * $0 / 0.42 }
    #expect(ial.deltaM[ps].perSeed?.count == 3)
    #expect(close(ial.deltaM[ps].perSeed?.mean, perSeed.reduce(0, +) / 3))
    #expect(close(ial.deltaM[ps].perSeed?.standardDeviation, 100 * 0.01 / 0.42))

    // EW: semantic equal to the baseline, depth worse (0.57 > 0.52, lower is better) → negative.
    let ew = try row(t, "ew")
    #expect(close(ew.deltaM[ps].value, 0, 1e-9))
    #expect(close(ew.deltaM[ases].value, 100 * (0 - 0.05 / 0.52) / 2))
    #expect(ew.deltaM[ases].value! < 0)
    // Its per-task mean: semantic pixAcc 0.80 vs 0.81 (worse), depth absErr 0.57 vs 0.52 and rmse 0.79 vs 0.72 (worse).
    let ewSem = (0 + (0.80 - 0.81) / 0.81) / 2, ewDep = (-(0.57 - 0.52) / 0.52 - (0.79 - 0.72) / 0.72) / 2
    #expect(close(ew.deltaM[ap].value, 100 * (ewSem + ewDep) / 2))
  }

  @Test("auxiliary-setting table: each task's metric from the runs where it is primary, as in the paper")
  func auxiliarySetting() throws {
    let x = try HandMadeExperiment.standard("aux")
    defer { x.remove() }
    let report = try ExperimentReport.load(experiment: x.directory)
    #expect(report.tables[1].kind == .primarySet(["depth"]))
    let t = report.tables[2]
    #expect(t.kind == .auxiliarySetting && t.columns.map(\.task) == ["semantic", "depth"])
    let ial = try row(t, "ial")
    let sem = try column(t, "semantic"), dep = try column(t, "depth")
    #expect(close(ial.cells[sem].summary?.mean, 0.46) && close(ial.cells[dep].summary?.mean, 0.47))
    let s = try deltaColumn(t, .primary, .singleMetric)
    #expect(close(ial.deltaM[s].value, 100 * (0.04 / 0.42 + 0.05 / 0.52) / 2))
    // Per seed: the seeds both primaries share (0 and 1).
    let seed0 = (0.03 / 0.42 + 0.06 / 0.52) / 2, seed1 = (0.04 / 0.42 + 0.04 / 0.52) / 2
    #expect(ial.deltaM[s].perSeed?.count == 2 && close(ial.deltaM[s].perSeed?.mean, 100 * (seed0 + seed1) / 2))
    // EW never ran with depth as primary: no Δm, and a footnote says why; its semantic cell exists.
    let ew = try row(t, "ew")
    #expect(ew.deltaM[s].value == nil)
    let note = try #require(ew.deltaM[s].note)
    #expect(t.notes[note - 1].contains("depth"))
    #expect(ew.cells[dep].summary == nil && ew.cells[sem].summary != nil)
  }

  @Test("a missing single-task baseline gives — with a footnote, never a number")
  func missingBaseline() throws {
    let x = try HandMadeExperiment.standard("nobase", withDepthBaseline: false)
    defer { x.remove() }
    let report = try ExperimentReport.load(experiment: x.directory)
    let t = report.tables[0]
    let ial = try row(t, "ial")
    // Primary Δm (semantic only) is still computed …
    #expect(close(ial.deltaM[try deltaColumn(t, .primary, .singleMetric)].value, 100 * 0.04 / 0.42))
    // … but Δm over all tasks needs depth's baseline.
    let cell = ial.deltaM[try deltaColumn(t, .allTasks, .singleMetric)]
    #expect(cell.value == nil && cell.perSeed == nil)
    let note = try #require(cell.note)
    #expect(t.notes[note - 1].contains("No finished single-task run of depth"))
    // The single-task row shows — for depth with a footnote.
    let base = try row(t, "single-task")
    let depthColumn = try column(t, "depth")
    #expect(base.cells[depthColumn].summary == nil && base.cells[depthColumn].note != nil)
    // The text forms show the dash and the footnote.
    let grid = t.textGrid()
    let ialLine = try #require(grid.rows.first { $0[0] == "ial" })
    #expect(ialLine.contains { $0.hasPrefix("— [") })
    #expect(!grid.notes.isEmpty)
    // Primary depth table: every Δm needs the depth baseline.
    let depthTable = report.tables[1]
    #expect(try row(depthTable, "ial").deltaM.allSatisfy { $0.value == nil && $0.note != nil })
  }

  @Test("multi-task setting: every task primary gives one Δm pair over all tasks; a record saying 'all' joins it")
  func multiTask() throws {
    let x = try HandMadeExperiment("mtl")
    defer { x.remove() }
    try x.run("single-task", primary: ["semantic"], tasks: ["semantic"], seed: 0, semantic: (0.40, 0.80))
    try x.run("single-task", primary: ["depth"], tasks: ["depth"], seed: 0, depth: (0.50, 0.70))
    try x.run("ew", primary: ["semantic", "depth"], tasks: ["semantic", "depth"], seed: 0, semantic: (0.42, 0.80), depth: (0.55, 0.70))
    try x.run("ew", primary: ["all"], tasks: ["semantic", "depth"], seed: 1, semantic: (0.44, 0.80), depth: (0.45, 0.70))
    let report = try ExperimentReport.load(experiment: x.directory)
    #expect(report.tables.count == 1)
    let t = report.tables[0]
    #expect(t.title == "scenes: every task primary (semantic, depth)")
    #expect(t.deltaMColumns == [DeltaMColumn(scope: .allTasks, variant: .singleMetric), DeltaMColumn(scope: .allTasks, variant: .perTaskMean)])
    #expect(t.columns.allSatisfy { $0.isPrimary })
    let ew = try row(t, "ew")
    #expect(ew.runCount == 2)
    // Means: mIoU 0.43, absErr 0.50: (0.03 / 0.40 + 0) / 2.
    #expect(close(ew.deltaM[0].value, 100 * (0.03 / 0.40) / 2))
  }

  @Test("method options split rows; default options do not")
  func variants() throws {
    let x = try HandMadeExperiment("variants")
    defer { x.remove() }
    try x.run("single-task", primary: ["semantic"], tasks: ["semantic"], seed: 0, semantic: (0.40, 0.80))
    try x.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: 0, semantic: (0.44, 0.8), depth: (0.5, 0.7))
    try x.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: 1, semantic: (0.46, 0.8), depth: (0.5, 0.7), options: ["sign_mask": "true"])
    let folder = try x.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: 2, semantic: (0.30, 0.8), depth: (0.5, 0.7), options: ["sign_mask": "false"])
    _ = folder
    let t = try ExperimentReport.load(experiment: x.directory).tables[0]
    #expect(t.rows.map(\.variant.description) == ["single-task", "ial", "ial (sign_mask=false)"])
    #expect(try row(t, "ial").runCount == 2)
  }

  @Test("Table II: seconds per epoch (mean over a run's epochs, then over runs) and the ratio to EW")
  func timing() throws {
    let x = try HandMadeExperiment.standard("timing")
    defer { x.remove() }
    let table = try ExperimentReport.load(experiment: x.directory).timing
    let ial = try #require(table.rows.first { $0.variant.method == "ial" })
    let ew = try #require(table.rows.first { $0.variant.method == "ew" })
    let st = try #require(table.rows.first { $0.variant.isSingleTask })
    // ial run means: 2.2, 2.2, 2.5 (primary semantic), 2.2, 2.2 (primary depth).
    let means = [2.2, 2.2, 2.5, 2.2, 2.2]
    let m = means.reduce(0, +) / 5
    let sd = (means.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 4).squareRoot()
    #expect(ial.runCount == 5 && ial.epochCount == 10)
    #expect(close(ial.secondsPerEpoch?.mean, m) && close(ial.secondsPerEpoch?.standardDeviation, sd))
    #expect(close(ew.secondsPerEpoch?.mean, 1.1) && close(ew.ratioToEqualWeighting, 1))
    #expect(close(ial.ratioToEqualWeighting, m / 1.1))
    #expect(close(st.ratioToEqualWeighting, 0.5 / 1.1))
    #expect(table.notes.isEmpty)
  }

  @Test("without EW runs the ratio is — with a note")
  func timingWithoutEW() throws {
    let x = try HandMadeExperiment("noew")
    defer { x.remove() }
    try x.run("ial", primary: ["semantic"], tasks: ["semantic", "depth"], seed: 0, semantic: (0.44, 0.8), depth: (0.5, 0.7), seconds: [3, 3])
    let report = try ExperimentReport.load(experiment: x.directory)
    #expect(report.timing.rows.count == 1 && report.timing.rows[0].ratioToEqualWeighting == nil)
    #expect(report.timing.notes.count == 1 && report.timing.notes[0].contains("no finished ew run"))
    #expect(report.timing.textGrid().rows[0][5] == "—")
  }

  @Test("Table II: CPU seconds and load beside wall time; a ratio taken under a very different load is marked ‡")
  func timingUnderLoad() throws {
    let x = try HandMadeExperiment("load")
    defer { x.remove() }
    let sd = ["semantic", "depth"]
    let env = ["cpu_count": "2"]
    // EW on a quiet machine (load 0.5); IAL seed 0 under load 3.2, seed 1 under 2.8: mean 3.0,
    // 2.5 above EW's, more than the tolerance of max(1, 2/4) = 1.
    try x.run("ew", primary: ["semantic"], tasks: sd, seed: 0, semantic: (0.4, 0.8), depth: (0.5, 0.7), seconds: [1, 1], cpuSeconds: [1.8, 2.2], load: [0.4, 0.6], environment: env)
    try x.run("ial", primary: ["semantic"], tasks: sd, seed: 0, semantic: (0.4, 0.8), depth: (0.5, 0.7), seconds: [3, 3], cpuSeconds: [2.4, 2.6], load: [3.2, 3.2], environment: env)
    try x.run("ial", primary: ["semantic"], tasks: sd, seed: 1, semantic: (0.4, 0.8), depth: (0.5, 0.7), seconds: [3, 3], cpuSeconds: [2.6, 2.4], load: [2.8, 2.8], environment: env)
    // UW under EW's load (0.5 + 0.9 < tolerance): not marked; no CPU time recorded: —.
    try x.run("uw", primary: ["semantic"], tasks: sd, seed: 0, semantic: (0.4, 0.8), depth: (0.5, 0.7), seconds: [1.5, 1.5], load: [1.4, 1.4], environment: env)
    let timing = try ExperimentReport.load(experiment: x.directory).timing
    let ial = try #require(timing.rows.first { $0.variant.method == "ial" })
    let ew = try #require(timing.rows.first { $0.variant.method == "ew" })
    let uw = try #require(timing.rows.first { $0.variant.method == "uw" })
    #expect(close(ial.ratioToEqualWeighting, 3) && close(ial.cpuRatioToEqualWeighting, 2.5 / 2))
    #expect(close(ial.loadAverage?.mean, 3) && close(ew.loadAverage?.mean, 0.5))
    #expect(ial.loadDiffersFromEqualWeighting && !ew.loadDiffersFromEqualWeighting && !uw.loadDiffersFromEqualWeighting)
    #expect(uw.cpuSecondsPerEpoch == nil && uw.cpuRatioToEqualWeighting == nil)
    let grid = timing.textGrid()
    let ialRow = try #require(grid.rows.first { $0[1] == "ial" })
    #expect(ialRow[5] == "3.00× ‡" && ialRow[7] == "1.25×" && ialRow[8] == "3.00")
    #expect(try #require(grid.rows.first { $0[1] == "uw" })[6] == "—")
    #expect(timing.notes.count == 1 && timing.notes[0].contains("‡") && timing.notes[0].contains("load averages more than 1 apart"))
  }
}
