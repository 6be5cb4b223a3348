import AuxData
import Foundation

/// Runs an ``ExperimentPlan`` one run after another, resumably.
///
/// A run whose folder already holds a finished record with the same configuration is reused (not
/// trained again); a run that was interrupted resumes from its last checkpoint; a run whose folder
/// holds a different configuration stops the experiment with an error naming it, so results are
/// never mixed. Interrupting (`shouldStop`) leaves every run resumable.
///
/// Before the first run trains, the whole plan is checked (``validate()``): a typo in the third
/// method's options or a task the dataset lacks is reported, with every other problem, in the
/// first second instead of after the runs before it.
public final class ExperimentRunner {
  public let plan: ExperimentPlan
  public let networks: NetworkFactory

  public init(plan: ExperimentPlan, networks: @escaping NetworkFactory) {
    self.plan = plan
    self.networks = networks
  }

  /// What happened to each planned run.
  public enum Outcome: String, Sendable {
    case trained, resumed, reused, interrupted
  }

  /// Runs every planned run. `progress` makes the progress sink of each run (given its id, its
  /// 1-based position and the total); `log` receives one line per run decision.
  ///
  /// - Returns: the records of the runs, in plan order, up to an interruption.
  @discardableResult
  public func run(
    progress: (String, Int, Int) -> TrainingProgress = { _, _, _ in SilentProgress() }, log: (String) -> Void = { _ in },
    shouldStop: () -> Bool = { false }
  ) throws -> [(RunRecord, Outcome)] {
    let runs = try validate()
    var out: [(RunRecord, Outcome)] = []
    for (i, run) in runs.enumerated() {
      if shouldStop() { break }
      let folder = Self.folder(of: run)
      var resume = false
      if folder.exists {
        let existing = try folder.readRecord()
        if existing.status == .finished {
          log("[\(i + 1)/\(runs.count)] \(run.id): finished earlier, reused")
          out.append((existing, .reused))
          continue
        }
        resume = FileManager.default.fileExists(atPath: folder.checkpointURL.path)
      }
      log("[\(i + 1)/\(runs.count)] \(run.id): \(resume ? "resuming" : "training")")
      let trainer = try RunBuilder.makeTrainer(run.config, runID: run.id, networks: networks)
      let record = try trainer.run(resume: resume, progress: progress(run.id, i + 1, runs.count), shouldStop: shouldStop)
      if record.status != .finished {
        out.append((record, .interrupted))
        break
      }
      out.append((record, resume ? .resumed : .trained))
    }
    return out
  }

  /// Checks the whole plan before anything trains and returns its runs: the data loads, every
  /// run's configuration is valid for it (``ExperimentPlan/problems(tasks:)``), and no run folder
  /// already holds a run made with a different configuration (results are never mixed).
  ///
  /// - Throws: ``ExperimentPlanError`` listing every problem found, not just the first.
  public func validate() throws -> [ExperimentPlan.Run] {
    var problems: [ExperimentPlanError.Problem] = []
    var tasks: [TaskLabelSpec]?
    do {
      tasks = try TrainingData.load(plan.base.dataset, seed: plan.base.seed).tasks
    } catch {
      problems.append(.init(runs: [], message: "dataset '\(plan.base.dataset.name)': \(error)"))
    }
    problems += plan.problems(tasks: tasks)
    let runs = plan.runs(allTasks: tasks?.map(\.name) ?? [])
    if tasks != nil {
      for run in runs {
        let folder = Self.folder(of: run)
        guard folder.exists else { continue }
        do {
          let existing = try folder.readRecord()
          if let saved = existing.configuration, case let changes = run.config.trainingDifferences(from: saved), !changes.isEmpty {
            problems.append(.init(
              runs: [run.id],
              message: "\(folder.url.path) holds a run made with a different configuration ("
                + changes.map(\.description).joined(separator: "; ")
                + "); use another experiment name (or delete that folder) to start afresh"))
          }
        } catch {
          problems.append(.init(runs: [run.id], message: "\(folder.url.path) cannot be resumed or reused: \(error)"))
        }
      }
    }
    guard problems.isEmpty else { throw ExperimentPlanError(problems) }
    return runs
  }

  /// The folder of a planned run: `<output>/<experiment>/<id>`.
  static func folder(of run: ExperimentPlan.Run) -> RunFolder {
    RunFolder(URL(fileURLWithPath: run.config.output).appendingPathComponent(run.config.experiment).appendingPathComponent(run.id))
  }
}
