/// The report's plots, grouped in sections: learning curves and weight trajectories for each set
/// of primary tasks.
public struct ReportFigures: Sendable {
  /// A group of plots under one heading.
  public struct Section: Sendable {
    /// `Learning curves, scenes: primary semantic`.
    public let title: String
    public let plots: [LinePlot]
    /// What could not be drawn (no validation evaluations, no step logs).
    public let notes: [String]
  }

  /// Learning curves of every set of primary tasks, then the methods' values over training.
  public let sections: [Section]

  /// At most this many points per line; longer step logs are averaged into bins.
  static let maxPoints = 400

  /// The families of step values drawn first (IAL's Fig. 14 quantities), in this order; other
  /// families follow alphabetically.
  static let familyOrder = ["weight", "decoder_weight", "encoder_weight", "norm_ratio", "sigma"]

  static func build(runs: [LoadedRun]) -> ReportFigures {
    let methodVariants = uniqued(runs.filter { !$0.record.isSingleTask }.map { MethodVariant($0.record) }).sorted()
    func color(_ v: MethodVariant) -> String { PlotPalette.color(methodVariants.firstIndex(of: v) ?? methodVariants.count) }
    var curveSections: [Section] = []
    var weightSections: [Section] = []
    for dataset in uniqued(runs.map(\.record.dataset)) {
      let dRuns = runs.filter { $0.record.dataset == dataset }
      let context = DatasetContext(dataset: dataset, runs: dRuns, baselines: BaselineSet(dRuns))
      let methodRuns = dRuns.filter { !$0.record.isSingleTask }
      for primary in uniqued(methodRuns.map(\.primaryTasks)) {
        let group = methodRuns.filter { $0.primaryTasks == primary }
        let variants = uniqued(group.map { MethodVariant($0.record) }).sorted()
        let heading = "\(dataset): primary \(primary.joined(separator: ", "))"
        var plots: [LinePlot] = []
        var notes: [String] = []
        for task in primary {
          guard let metric = context.mainMetric[task] else { continue }
          let arrow = context.direction(task: task, metric: metric).map { $0 ? " (higher is better)" : " (lower is better)" } ?? ""
          var metricSeries: [LinePlot.Series] = []
          var lossSeries: [LinePlot.Series] = []
          func add(_ name: String, _ color: String, _ dashed: Bool, _ runs: [LoadedRun]) {
            let m = runs.map { run in
              run.evaluations.filter { $0.split == "val" }.compactMap { e in
                e.metrics.first { $0.task == task && $0.metric == metric }.map { (Double(e.epoch), $0.value) }
              }
            }
            let l = runs.map { run in
              var seen: Set<Int> = []
              return run.evaluations.compactMap { e -> (Double, Double)? in
                guard let v = e.trainLoss[task], seen.insert(e.epoch).inserted else { return nil }
                return (Double(e.epoch), v)
              }
            }
            if let s = Self.series(name, color, dashed, m) { metricSeries.append(s) }
            if let s = Self.series(name, color, dashed, l) { lossSeries.append(s) }
          }
          for v in variants { add(v.description, color(v), false, group.filter { MethodVariant($0.record) == v }) }
          let baselineRuns = context.baselines.runs(dataset: dataset, task: task)
          if !baselineRuns.isEmpty { add("single-task", PlotPalette.baseline, true, baselineRuns) }
          if metricSeries.isEmpty {
            notes.append("No validation evaluation of \(task) \(metric) is recorded (metrics.jsonl, split \"val\").")
          } else {
            plots.append(LinePlot(
              title: "Validation \(task) \(metric), mean over seeds (band: min–max)", xLabel: "epoch",
              yLabel: "\(task) \(metric)\(arrow)", series: metricSeries, integerX: true))
          }
          if lossSeries.isEmpty {
            notes.append("No training loss of \(task) is recorded.")
          } else {
            plots.append(LinePlot(
              title: "Training loss of \(task), mean over seeds (band: min–max)", xLabel: "epoch",
              yLabel: "\(task) training loss", series: lossSeries, integerX: true))
          }
        }
        curveSections.append(Section(title: "Learning curves, \(heading)", plots: plots, notes: notes))

        var weightPlots: [LinePlot] = []
        var weightNotes: [String] = []
        for v in variants {
          let vRuns = group.filter { MethodVariant($0.record) == v }
          let keys = Set(vRuns.flatMap { $0.steps.flatMap { $0.values.keys } })
          if keys.isEmpty {
            weightNotes.append("\(v): no method values are logged (steps.jsonl).")
            continue
          }
          var families: [String: [String]] = [:]
          for k in keys {
            if let slash = k.firstIndex(of: "/") {
              families[String(k[..<slash]), default: []].append(k)
            } else {
              families["other values", default: []].append(k)
            }
          }
          let order = Self.familyOrder.filter { families[$0] != nil } + families.keys.filter { !Self.familyOrder.contains($0) }.sorted()
          let taskOrder = context.taskOrder
          for family in order {
            let members = families[family]!.sorted { a, b in
              let ia = taskOrder.firstIndex(of: Self.member(a)) ?? Int.max, ib = taskOrder.firstIndex(of: Self.member(b)) ?? Int.max
              return (ia, a) < (ib, b)
            }
            var series: [LinePlot.Series] = []
            for key in members {
              let perRun = vRuns.map { run in run.steps.compactMap { s in s.values[key].map { (Double(s.step), $0) } } }
              let name = Self.member(key)
              let colorIndex = taskOrder.firstIndex(of: name) ?? (taskOrder.count + series.count)
              if let s = Self.series(name, PlotPalette.color(colorIndex), false, perRun) { series.append(s) }
            }
            guard !series.isEmpty else { continue }
            weightPlots.append(LinePlot(
              title: "\(v): \(family) over training (mean over seeds, band: min–max)", xLabel: "step",
              yLabel: family, series: series, integerX: true))
          }
        }
        weightSections.append(Section(title: "Method values over training, \(heading)", plots: weightPlots, notes: weightNotes))
      }
    }
    return ReportFigures(sections: curveSections + weightSections)
  }

  /// The task part of `family/task` (the key itself when it has no family).
  static func member(_ key: String) -> String {
    guard let slash = key.firstIndex(of: "/") else { return key }
    return String(key[key.index(after: slash)...])
  }

  /// A line through the mean over runs with a min–max band (when there are several runs), or
  /// nil when no run has a point.
  static func series(_ name: String, _ color: String, _ dashed: Bool, _ perRun: [[(Double, Double)]]) -> LinePlot.Series? {
    let points = aggregate(perRun, maxPoints: maxPoints)
    guard !points.isEmpty else { return nil }
    let several = perRun.filter { !$0.isEmpty }.count > 1
    return LinePlot.Series(
      name: name, color: color,
      points: points.map { LinePlot.Point(x: $0.x, y: $0.mean) },
      band: several ? points.map { LinePlot.BandPoint(x: $0.x, low: $0.min, high: $0.max) } : nil,
      dashed: dashed)
  }

  /// Mean, min and max over runs at each x.
  struct Aggregate: Equatable {
    var x: Double
    var mean: Double
    var min: Double
    var max: Double
  }

  /// Pools the runs' points by x (runs log at the same epochs and steps); with more than
  /// `maxPoints` distinct x the range is cut into `maxPoints` equal bins. Each x (or bin)
  /// reports the mean x, the mean over runs of each run's value (its mean within the bin), and the
  /// extremes of those run values. Non-finite values are skipped.
  static func aggregate(_ perRun: [[(Double, Double)]], maxPoints: Int) -> [Aggregate] {
    let xs = Set(perRun.flatMap { $0.filter { $0.1.isFinite }.map(\.0) }).sorted()
    guard let lo = xs.first, let hi = xs.last else { return [] }
    let binned = xs.count > maxPoints
    func bin(_ x: Double) -> Int {
      guard binned, hi > lo else { return xs.firstIndex(of: x)! }
      return Swift.min(maxPoints - 1, Int((x - lo) / (hi - lo) * Double(maxPoints)))
    }
    let binCount = binned ? maxPoints : xs.count
    // Per run and bin: sum and count of values and of xs.
    var sumX = [Double](repeating: 0, count: binCount), countX = [Int](repeating: 0, count: binCount)
    var runMeans = [[Double]](repeating: [], count: binCount)
    for run in perRun {
      var s = [Double](repeating: 0, count: binCount), c = [Int](repeating: 0, count: binCount)
      for (x, y) in run where y.isFinite && x.isFinite {
        let b = bin(x)
        s[b] += y
        c[b] += 1
        sumX[b] += x
        countX[b] += 1
      }
      for b in 0..<binCount where c[b] > 0 { runMeans[b].append(s[b] / Double(c[b])) }
    }
    var out: [Aggregate] = []
    for b in 0..<binCount where !runMeans[b].isEmpty {
      let v = runMeans[b]
      out.append(Aggregate(x: sumX[b] / Double(countX[b]), mean: v.reduce(0, +) / Double(v.count), min: v.min()!, max: v.max()!))
    }
    return out
  }
}
