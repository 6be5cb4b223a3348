import AuxData

/// The metrics Δm needs for some tasks: each task's main metric, and all of its metrics.
struct TaskMetrics {
  /// Per task: the main metric's value.
  var main: [String: MetricValue] = [:]
  /// Per task: every metric (in the order the run recorded them).
  var all: [String: [MetricValue]] = [:]

  /// The final metrics of `run` for `tasks`, with `mainMetric[task]` as each task's main metric.
  /// Tasks or metrics the run does not report are left out.
  init(run: LoadedRun, tasks: [String], mainMetric: [String: String]) {
    for t in tasks {
      let records = run.finalMetrics(task: t)
      if !records.isEmpty { all[t] = records.map(Self.value) }
      if let name = mainMetric[t], let r = records.first(where: { $0.metric == name }) { main[t] = Self.value(r) }
    }
  }

  init() {}

  static func value(_ r: MetricRecord) -> MetricValue {
    MetricValue(name: r.metric, value: r.value, direction: r.higherIsBetter ? .higherIsBetter : .lowerIsBetter)
  }

  /// The element-wise mean of several runs' metrics. A main metric is averaged over the runs that
  /// report it (all of them, when callers checked); a task's metric set is the metrics every run
  /// reports, in the first run's order.
  static func mean(_ items: [TaskMetrics]) -> TaskMetrics {
    var out = TaskMetrics()
    guard let first = items.first else { return out }
    let tasks = Set(items.flatMap { $0.main.keys })
    for t in tasks {
      let values = items.compactMap { $0.main[t] }
      out.main[t] = MetricValue(name: values[0].name, value: values.map(\.value).reduce(0, +) / Double(values.count), direction: values[0].direction)
    }
    for (t, metrics) in first.all {
      let lists = items.map { $0.all[t] ?? [] }
      let common = metrics.filter { m in lists.allSatisfy { list in list.contains { $0.name == m.name } } }
      guard !common.isEmpty else { continue }
      out.all[t] = common.map { m in
        let values = lists.map { list in list.first { $0.name == m.name }!.value }
        return MetricValue(name: m.name, value: values.reduce(0, +) / Double(values.count), direction: m.direction)
      }
    }
    return out
  }

  /// Δm of `self` against `baseline` over `tasks`, in percent (AuxData's `deltaMSingleMetric` /
  /// `deltaMPerTaskMean`).
  func deltaM(_ variant: DeltaMVariant, baseline: TaskMetrics, tasks: [String]) throws -> Double {
    switch variant {
    case .singleMetric:
      var model: [String: MetricValue] = [:], base: [String: MetricValue] = [:]
      for t in tasks {
        guard let m = main[t] else { throw DeltaMError("no main-metric value of task '\(t)'") }
        guard let b = baseline.main[t] else { throw DeltaMError("the single-task runs of '\(t)' do not report its main metric") }
        model[t] = m
        base[t] = b
      }
      return try deltaMSingleMetric(model: model, baseline: base)
    case .perTaskMean:
      var model: [String: [MetricValue]] = [:], base: [String: [MetricValue]] = [:]
      for t in tasks {
        guard let m = all[t] else { throw DeltaMError("no metric of task '\(t)'") }
        guard let b = baseline.all[t] else { throw DeltaMError("the single-task runs of '\(t)' report no metric") }
        model[t] = m
        base[t] = b
      }
      return try deltaMPerTaskMean(model: model, baseline: base)
    }
  }
}

/// The finished single-task runs of an experiment, by dataset and task.
struct BaselineSet {
  private var runs: [String: [LoadedRun]] = [:]

  init(_ all: [LoadedRun]) {
    for r in all where r.record.isSingleTask {
      runs[Self.key(r.record.dataset, r.record.tasks[0]), default: []].append(r)
    }
  }

  static func key(_ dataset: String, _ task: String) -> String { "\(dataset)\u{1F}\(task)" }

  /// The single-task runs of `task` on `dataset`, sorted by seed.
  func runs(dataset: String, task: String) -> [LoadedRun] {
    (runs[Self.key(dataset, task)] ?? []).sorted { ($0.record.seed, $0.record.id) < ($1.record.seed, $1.record.id) }
  }

  /// The seed-mean metrics of the single-task runs of `tasks` (each task from its own runs; a
  /// main metric over the runs that report it).
  func means(dataset: String, tasks: [String], mainMetric: [String: String]) -> TaskMetrics {
    var out = TaskMetrics()
    for t in tasks {
      let per = runs(dataset: dataset, task: t).map { TaskMetrics(run: $0, tasks: [t], mainMetric: mainMetric) }
      guard !per.isEmpty else { continue }
      let m = TaskMetrics.mean(per)
      out.main[t] = m.main[t]
      out.all[t] = m.all[t]
    }
    return out
  }

  /// The metrics of the single-task runs of `tasks` with seed `seed` (one run per task, the first
  /// by id); nil unless every task has such a run reporting its main metric.
  func seedMetrics(dataset: String, tasks: [String], seed: UInt64, mainMetric: [String: String]) -> TaskMetrics? {
    var out = TaskMetrics()
    for t in tasks {
      guard let run = runs(dataset: dataset, task: t).first(where: { $0.record.seed == seed }) else { return nil }
      let m = TaskMetrics(run: run, tasks: [t], mainMetric: mainMetric)
      guard m.main[t] != nil else { return nil }
      out.main[t] = m.main[t]
      out.all[t] = m.all[t]
    }
    return out
  }
}
