import AuxData
import AuxMTL

/// Everything wrong with an ``ExperimentPlan``, found before its first run trains.
///
/// The description lists every problem on its own line, each prefixed by the runs it concerns
/// (runs that differ only by seed share a line), so that one invocation shows every typo of a
/// sweep at once instead of the first one after hours of training.
public struct ExperimentPlanError: Error, CustomStringConvertible, Equatable {
  /// One problem: the ids of the runs it concerns (empty for the plan as a whole) and what is wrong.
  public struct Problem: Sendable, Equatable {
    public var runs: [String]
    public var message: String
  }

  /// The problems, in plan order.
  public let problems: [Problem]

  public init(_ problems: [Problem]) { self.problems = problems }

  public var description: String {
    let lines = problems.map { p in "  - " + (p.runs.isEmpty ? "" : "\(p.runs.joined(separator: ", ")): ") + p.message }
    return "the experiment has \(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was trained:\n"
      + lines.joined(separator: "\n")
  }
}

extension ExperimentPlan {
  /// Checks every planned run (baselines and each method × primary choice × seed) without
  /// training anything: the plan's lists are non-empty and free of repeats, and each run's
  /// configuration passes ``TrainConfig/validate()`` (method names and options, auxiliary-only
  /// methods without an auxiliary task, …), names only tasks the dataset has
  /// (``RunBuilder/objectives(_:available:)``), builds its weighting method
  /// (``AuxMTL/MethodRegistry/make(_:tasks:options:seed:)``, which checks option values) and its
  /// learning-rate schedule.
  ///
  /// - Parameter tasks: the dataset's tasks, or nil when the data could not be loaded (then the
  ///   checks that need them are skipped; the caller reports why).
  /// - Returns: every problem found, in plan order (empty when the plan can run).
  public func problems(tasks: [TaskLabelSpec]?) -> [ExperimentPlanError.Problem] {
    var plan: [ExperimentPlanError.Problem] = []
    if methods.isEmpty { plan.append(.init(runs: [], message: "no method given (--methods)")) }
    if primaries.isEmpty { plan.append(.init(runs: [], message: "no choice of primary task given (--primary)")) }
    if seeds.isEmpty { plan.append(.init(runs: [], message: "no seed given (--seeds)")) }
    for (name, list) in [("--methods", methods), ("--seeds", seeds.map(String.init)), ("--primary", primaries.map { $0.joined(separator: ",") })] {
      var seen: Set<String> = []
      for item in list where !seen.insert(item).inserted {
        plan.append(.init(runs: [], message: "\(name) lists '\(item)' twice"))
      }
    }

    // Problems of runs that differ only by seed are reported once, listing the runs.
    var order: [String] = []
    var runsByMessage: [String: [String]] = [:]
    func note(_ message: String, _ id: String) {
      if runsByMessage[message] == nil { order.append(message) }
      runsByMessage[message, default: []].append(id)
    }
    for run in runs(allTasks: tasks?.map(\.name) ?? []) {
      if let message = Self.problem(of: run.config, tasks: tasks) { note(message, run.id) }
    }
    return plan + order.map { .init(runs: runsByMessage[$0] ?? [], message: $0) }
  }

  /// The first problem of one run's configuration, or nil.
  static func problem(of config: TrainConfig, tasks: [TaskLabelSpec]?) -> String? {
    do {
      try config.validate()
      guard let tasks else { return nil }
      let objectives = try RunBuilder.objectives(config, available: tasks)
      let weighting = config.method.name == RunBuilder.singleTask ? "ew" : config.method.name
      _ = try MethodRegistry.make(weighting, tasks: objectives.map(\.info), options: config.method.options, seed: config.seed)
      _ = try RunBuilder.makeSchedule(config)
      return nil
    } catch let e as ConfigError {
      return "\(e.key): \(e.message)"
    } catch {
      return "\(error)"
    }
  }
}
