/// The runs of a comparison: methods × primary-task choices × seeds, plus the single-task
/// baselines that Δm needs (one per task that is ever primary, per seed).
///
/// ```swift
/// let plan = ExperimentPlan(base: config, methods: ["ial", "ew", "uw"], primaries: [["semantic"]], seeds: [0, 1, 2])
/// for run in plan.runs { print(run.id) }   // single-task-semantic-s0, …, ial-semantic-s0, …
/// ```
///
/// Baselines come first, so that a report can compute Δm as soon as any method run finishes.
public struct ExperimentPlan: Sendable, Equatable {
  /// The configuration every run starts from (its method, primary tasks and seed are replaced).
  public var base: TrainConfig
  public var methods: [String]
  /// Each entry is one choice of primary tasks (`[["semantic"], ["depth"]]` runs every method
  /// once with `semantic` primary and once with `depth` primary); `[["all"]]` is the multi-task
  /// setting.
  public var primaries: [[String]]
  public var seeds: [UInt64]
  /// Whether to include single-task baseline runs.
  public var singleTaskBaselines: Bool

  public init(base: TrainConfig, methods: [String], primaries: [[String]], seeds: [UInt64], singleTaskBaselines: Bool = true) {
    self.base = base
    self.methods = methods
    self.primaries = primaries
    self.seeds = seeds
    self.singleTaskBaselines = singleTaskBaselines
  }

  /// One planned run.
  public struct Run: Sendable, Equatable {
    public var id: String
    public var config: TrainConfig
  }

  /// Task names a single-task baseline is needed for: every task that is primary in some choice
  /// (`all` expands to `allTasks`).
  public func baselineTasks(allTasks: [String]) -> [String] {
    var out: [String] = []
    for p in primaries {
      for t in (p == ["all"] ? allTasks : p) where !out.contains(t) { out.append(t) }
    }
    return out
  }

  /// The auxiliary list of a run with `primary`: the base's explicit list without the primary
  /// tasks (a task moved to primary leaves the auxiliaries, as `--set tasks.primary=` does in
  /// `train`), empty for `all`, nil (every other task) when the base lists none.
  static func auxiliaries(_ listed: [String]?, primary: [String]) -> [String]? {
    if primary == ["all"] { return [] }
    return listed.map { $0.filter { !primary.contains($0) } }
  }

  /// One line per primary choice whose tasks the base configuration lists as auxiliary: those
  /// tasks leave the auxiliaries in that choice's runs (for the CLI to print).
  public var notes: [String] {
    guard let listed = base.tasks.auxiliary else { return [] }
    return primaries.compactMap { primary in
      let moved = listed.filter { primary.contains($0) }
      guard !moved.isEmpty, primary != ["all"] else { return nil }
      let rest = Self.auxiliaries(listed, primary: primary) ?? []
      return "primary \(primary.joined(separator: "+")): \(moved.joined(separator: ", ")) left the auxiliary tasks for these runs (auxiliary: \(rest.isEmpty ? "none" : rest.joined(separator: ", ")))"
    }
  }

  /// Every run, baselines first, then method × primaries × seeds.
  ///
  /// - Parameter allTasks: the dataset's tasks (to expand `all`).
  public func runs(allTasks: [String]) -> [Run] {
    var out: [Run] = []
    if singleTaskBaselines {
      for task in baselineTasks(allTasks: allTasks) {
        for seed in seeds {
          var c = base
          c.method.name = RunBuilder.singleTask
          c.method.options = [:]
          c.tasks.primary = [task]
          c.tasks.auxiliary = []
          // The baseline is the clean single-task model: no auxiliary-task settings.
          c.tasks.labelNoise = [:]
          c.tasks.pseudoTasks = [:]
          c.model.frozen = []
          c.seed = seed
          out.append(Run(id: RunBuilder.runID(c), config: c))
        }
      }
    }
    for method in methods {
      for primary in primaries {
        for seed in seeds {
          var c = base
          if c.method.name != method { c.method.options = [:] }
          c.method.name = method
          c.tasks.primary = primary
          c.tasks.auxiliary = Self.auxiliaries(base.tasks.auxiliary, primary: primary)
          c.seed = seed
          out.append(Run(id: RunBuilder.runID(c), config: c))
        }
      }
    }
    return out
  }
}
