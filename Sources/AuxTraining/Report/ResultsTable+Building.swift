import AuxData

/// Footnotes of one table, numbered from 1, each text once.
struct NoteList {
  private(set) var notes: [String] = []

  mutating func add(_ text: String) -> Int {
    if let i = notes.firstIndex(of: text) { return i + 1 }
    notes.append(text)
    return notes.count
  }
}

/// What every table of one dataset shares.
struct DatasetContext {
  let dataset: String
  /// Runs of the dataset (single-task runs included).
  let runs: [LoadedRun]
  let baselines: BaselineSet
  /// Tasks in the order the runs list them.
  let taskOrder: [String]
  /// Each task's main metric.
  let mainMetric: [String: String]
  /// Per task, a note when runs disagree on its main metric or name none.
  let mainMetricNotes: [String: String]

  init(dataset: String, runs: [LoadedRun], baselines: BaselineSet) {
    self.dataset = dataset
    self.runs = runs
    self.baselines = baselines
    let methodRuns = runs.filter { !$0.record.isSingleTask }
    taskOrder = uniqued(methodRuns.flatMap(\.record.tasks) + runs.flatMap(\.record.tasks))
    var main: [String: String] = [:]
    var notes: [String: String] = [:]
    for t in taskOrder {
      var counts: [(String, Int)] = []
      for r in runs {
        guard let m = r.record.mainMetrics[t] else { continue }
        if let i = counts.firstIndex(where: { $0.0 == m }) { counts[i].1 += 1 } else { counts.append((m, 1)) }
      }
      if let most = counts.map(\.1).max() {
        let top = counts.first { $0.1 == most }!.0  // ties: the first seen
        main[t] = top
        if counts.count > 1 {
          notes[t] = "Runs name different main metrics for \(t): \(counts.map { "\($0.0) (\($0.1) runs)" }.joined(separator: ", ")); this table uses \(top)."
        }
      } else if let first = runs.lazy.compactMap({ $0.finalMetrics(task: t).first }).first {
        main[t] = first.metric
        notes[t] = "No run names a main metric for \(t); this table uses the first one recorded, \(first.metric)."
      }
    }
    mainMetric = main
    mainMetricNotes = notes
  }

  /// Whether higher is better for `task`'s `metric`, as any run recorded it.
  func direction(task: String, metric: String) -> Bool? {
    for r in runs {
      if let m = r.finalValue(task: task, metric: metric) { return m.higherIsBetter }
    }
    return nil
  }

  /// The single-task row: each task's main metric over its own single-task runs.
  func baselineRow(columns: [ResultColumn], deltaMColumns: [DeltaMColumn], notes: inout NoteList) -> ResultRow {
    var ids: [String] = []
    let cells = columns.map { c -> ResultCell in
      let runs = baselines.runs(dataset: dataset, task: c.task)
      ids += runs.map(\.record.id)
      guard !runs.isEmpty else {
        return ResultCell(summary: nil, note: notes.add("No finished single-task run of \(c.task): Δm terms of \(c.task) cannot be computed."))
      }
      let values = runs.compactMap { $0.finalValue(task: c.task, metric: c.metric)?.value }
      guard let s = SampleSummary(values) else {
        return ResultCell(summary: nil, note: notes.add("The single-task runs of \(c.task) do not report \(c.metric)."))
      }
      return ResultCell(summary: s, note: nil)
    }
    return ResultRow(variant: .singleTask, runIDs: ids, runCount: nil, cells: cells, deltaM: deltaMColumns.map { _ in .reference })
  }

  /// A Δm cell for a model whose per-run metrics are `perRun` (and whose seed-mean metrics are
  /// `mean`), over `tasks`; nil note means it was computed.
  func deltaMCell(
    _ column: DeltaMColumn, tasks: [String], mean: TaskMetrics, perRun: [(seed: UInt64, metrics: TaskMetrics)], notes: inout NoteList
  ) -> DeltaMCell {
    let missing = tasks.filter { baselines.runs(dataset: dataset, task: $0).isEmpty }
    if !missing.isEmpty {
      let n = notes.add("No finished single-task run of \(missing.joined(separator: ", ")): Δm needs a single-task baseline for every task it averages over.")
      return DeltaMCell(value: nil, perSeed: nil, note: n, isReference: false)
    }
    let base = baselines.means(dataset: dataset, tasks: tasks, mainMetric: mainMetric)
    do {
      let value = try mean.deltaM(column.variant, baseline: base, tasks: tasks)
      let seeds = perRun.compactMap { try? $0.metrics.deltaM(column.variant, baseline: base, tasks: tasks) }
      var cell = DeltaMCell(value: value, perSeed: SampleSummary(seeds), note: nil, isReference: false)
      for (seed, metrics) in perRun {
        guard let paired = baselines.seedMetrics(dataset: dataset, tasks: tasks, seed: seed, mainMetric: mainMetric),
          let d = try? metrics.deltaM(column.variant, baseline: paired, tasks: tasks)
        else { continue }
        cell.pairedPerSeed[seed] = d
      }
      let paired = cell.pairedPerSeed.keys.sorted()
      cell.versusSingleTask = PairedDifference(differences: paired.map { cell.pairedPerSeed[$0]! }, seeds: paired)
      if paired.count < perRun.count {
        _ = notes.add("\(column.title): the paired comparisons use only the seeds with a single-task run of every task (\(paired.count) of \(perRun.count)).")
      }
      return cell
    } catch {
      let n = notes.add("\(column.title): \(error)")
      return DeltaMCell(value: nil, perSeed: nil, note: n, isReference: false)
    }
  }
}

/// Fills each row's paired comparison with EW (`ew` with its default options), seed by seed.
func compareWithEqualWeighting(_ rows: inout [ResultRow]) {
  let ew = MethodVariant(method: "ew", options: [:])
  guard let e = rows.firstIndex(where: { $0.variant == ew }) else { return }
  for r in rows.indices where r != e && !rows[r].variant.isSingleTask {
    for j in rows[r].deltaM.indices {
      rows[r].deltaM[j].versusEqualWeighting = PairedDifference(rows[r].deltaM[j].pairedPerSeed, minus: rows[e].deltaM[j].pairedPerSeed)
    }
  }
}

func uniqued<T: Hashable>(_ items: [T]) -> [T] {
  var seen: Set<T> = []
  return items.filter { seen.insert($0).inserted }
}

extension ResultsTable {
  /// Every Table I of an experiment: for each dataset, one table per set of primary tasks, then
  /// (when at least two single-primary sets exist) the auxiliary-setting table in the paper's
  /// layout.
  static func build(runs: [LoadedRun]) -> [ResultsTable] {
    let baselines = BaselineSet(runs)
    var tables: [ResultsTable] = []
    for dataset in uniqued(runs.map(\.record.dataset)) {
      let context = DatasetContext(dataset: dataset, runs: runs.filter { $0.record.dataset == dataset }, baselines: baselines)
      let methodRuns = context.runs.filter { !$0.record.isSingleTask }
      var groups = uniqued(methodRuns.map(\.primaryTasks))
      if groups.isEmpty { groups = uniqued(context.runs.map(\.record.tasks)) }
      func order(_ g: [String]) -> (Int, Int) { (g.count, context.taskOrder.firstIndex(of: g[0]) ?? Int.max) }
      groups.sort { order($0) < order($1) }
      for g in groups {
        tables.append(primarySetTable(context, primary: g, runs: methodRuns.filter { $0.primaryTasks == g }))
      }
      let single = groups.filter { $0.count == 1 }.map { $0[0] }
      if single.count >= 2 {
        tables.append(auxiliarySettingTable(context, tasks: single, runs: methodRuns.filter { $0.primaryTasks.count == 1 }))
      }
    }
    return tables
  }

  static func primarySetTable(_ ctx: DatasetContext, primary: [String], runs: [LoadedRun]) -> ResultsTable {
    var notes = NoteList()
    let others = ctx.taskOrder.filter { t in !primary.contains(t) && runs.contains { $0.record.tasks.contains(t) } }
    let taskColumns = primary + others
    for t in taskColumns { if let n = ctx.mainMetricNotes[t] { _ = notes.add(n) } }
    let columns = taskColumns.compactMap { t -> ResultColumn? in
      guard let m = ctx.mainMetric[t] else { return nil }
      return ResultColumn(task: t, metric: m, higherIsBetter: ctx.direction(task: t, metric: m), isPrimary: primary.contains(t))
    }
    let scopes: [DeltaMScope] = Set(primary) == Set(taskColumns) ? [.allTasks] : [.primary, .allTasks]
    let deltaMColumns = scopes.flatMap { s in [DeltaMColumn(scope: s, variant: .singleMetric), DeltaMColumn(scope: s, variant: .perTaskMean)] }

    var rows = [ctx.baselineRow(columns: columns, deltaMColumns: deltaMColumns, notes: &notes)]
    for variant in uniqued(runs.map { MethodVariant($0.record) }).sorted() {
      let rowRuns = runs.filter { MethodVariant($0.record) == variant }.sorted { ($0.record.seed, $0.record.id) < ($1.record.seed, $1.record.id) }
      let cells = columns.map { c -> ResultCell in
        let values = rowRuns.compactMap { $0.finalValue(task: c.task, metric: c.metric)?.value }
        guard let s = SampleSummary(values) else {
          return ResultCell(summary: nil, note: notes.add("No \(variant) run reports \(c.task) \(c.metric)."))
        }
        return ResultCell(summary: s, note: nil)
      }
      let deltas = deltaMColumns.map { dc -> DeltaMCell in
        let tasks = dc.scope == .primary ? primary : taskColumns
        let lacking = tasks.filter { t in rowRuns.contains { run in ctx.mainMetric[t].flatMap { run.finalValue(task: t, metric: $0) } == nil } }
        if !lacking.isEmpty {
          let n = notes.add("\(dc.scope == .primary ? "Δm primary" : "Δm over all tasks") needs every task's metric from every run; some \(variant) runs do not report \(lacking.joined(separator: ", ")).")
          return DeltaMCell(value: nil, perSeed: nil, note: n, isReference: false)
        }
        let perRun = rowRuns.map { (seed: $0.record.seed, metrics: TaskMetrics(run: $0, tasks: tasks, mainMetric: ctx.mainMetric)) }
        return ctx.deltaMCell(dc, tasks: tasks, mean: TaskMetrics.mean(perRun.map(\.metrics)), perRun: perRun, notes: &notes)
      }
      rows.append(ResultRow(variant: variant, runIDs: rowRuns.map(\.record.id), runCount: rowRuns.count, cells: cells, deltaM: deltas))
    }
    let everyTask = Set(primary) == Set(taskColumns) && primary.count > 1
    let title = everyTask
      ? "\(ctx.dataset): every task primary (\(primary.joined(separator: ", ")))"
      : "\(ctx.dataset): primary \(primary.joined(separator: ", "))"
    compareWithEqualWeighting(&rows)
    return ResultsTable(kind: .primarySet(primary), dataset: ctx.dataset, title: title, columns: columns, deltaMColumns: deltaMColumns, rows: rows, notes: notes.notes)
  }

  static func auxiliarySettingTable(_ ctx: DatasetContext, tasks: [String], runs: [LoadedRun]) -> ResultsTable {
    var notes = NoteList()
    for t in tasks { if let n = ctx.mainMetricNotes[t] { _ = notes.add(n) } }
    let columns = tasks.compactMap { t -> ResultColumn? in
      guard let m = ctx.mainMetric[t] else { return nil }
      return ResultColumn(task: t, metric: m, higherIsBetter: ctx.direction(task: t, metric: m), isPrimary: true)
    }
    let deltaMColumns = [DeltaMColumn(scope: .primary, variant: .singleMetric), DeltaMColumn(scope: .primary, variant: .perTaskMean)]
    var rows = [ctx.baselineRow(columns: columns, deltaMColumns: deltaMColumns, notes: &notes)]
    for variant in uniqued(runs.map { MethodVariant($0.record) }).sorted() {
      // The variant's runs with each task as the only primary.
      var byTask: [String: [LoadedRun]] = [:]
      for t in tasks {
        byTask[t] = runs.filter { MethodVariant($0.record) == variant && $0.primaryTasks == [t] }
          .sorted { ($0.record.seed, $0.record.id) < ($1.record.seed, $1.record.id) }
      }
      let cells = columns.map { c -> ResultCell in
        let values = byTask[c.task]!.compactMap { $0.finalValue(task: c.task, metric: c.metric)?.value }
        guard let s = SampleSummary(values) else {
          return ResultCell(summary: nil, note: notes.add("No \(variant) run with primary \(c.task) reports \(c.metric)."))
        }
        return ResultCell(summary: s, note: nil)
      }
      let missing = tasks.filter { t in byTask[t]!.isEmpty || byTask[t]!.contains { r in ctx.mainMetric[t].flatMap { r.finalValue(task: t, metric: $0) } == nil } }
      let deltas = deltaMColumns.map { dc -> DeltaMCell in
        if !missing.isEmpty {
          let n = notes.add("Δm of \(variant) needs a run reporting each task as the primary; missing or incomplete: \(missing.joined(separator: ", ")).")
          return DeltaMCell(value: nil, perSeed: nil, note: n, isReference: false)
        }
        var mean = TaskMetrics()
        for t in tasks {
          let m = TaskMetrics.mean(byTask[t]!.map { TaskMetrics(run: $0, tasks: [t], mainMetric: ctx.mainMetric) })
          mean.main[t] = m.main[t]
          mean.all[t] = m.all[t]
        }
        // Per seed: the seeds every task's runs share, one run each.
        var seeds = Set(byTask[tasks[0]]!.map(\.record.seed))
        for t in tasks.dropFirst() { seeds.formIntersection(byTask[t]!.map(\.record.seed)) }
        let perSeed = seeds.sorted().map { seed -> (seed: UInt64, metrics: TaskMetrics) in
          var m = TaskMetrics()
          for t in tasks {
            let run = byTask[t]!.first { $0.record.seed == seed }!
            let one = TaskMetrics(run: run, tasks: [t], mainMetric: ctx.mainMetric)
            m.main[t] = one.main[t]
            m.all[t] = one.all[t]
          }
          return (seed: seed, metrics: m)
        }
        return ctx.deltaMCell(dc, tasks: tasks, mean: mean, perRun: perSeed, notes: &notes)
      }
      let counts = Set(tasks.map { byTask[$0]!.count })
      let ids = tasks.flatMap { byTask[$0]!.map(\.record.id) }
      rows.append(ResultRow(variant: variant, runIDs: ids, runCount: counts.count == 1 ? counts.first : nil, cells: cells, deltaM: deltas))
    }
    compareWithEqualWeighting(&rows)
    return ResultsTable(
      kind: .auxiliarySetting, dataset: ctx.dataset,
      title: "\(ctx.dataset): auxiliary setting, each task's metric from the runs where it is the primary",
      columns: columns, deltaMColumns: deltaMColumns, rows: rows, notes: notes.notes)
  }
}
