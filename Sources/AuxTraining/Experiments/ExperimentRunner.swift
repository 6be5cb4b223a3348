import Foundation

/// Runs an ``ExperimentPlan`` one run after another, resumably.
///
/// A run whose folder already holds a finished record with the same configuration is reused (not
/// trained again); a run that was interrupted resumes from its last checkpoint; a run whose folder
/// holds a different configuration stops the experiment with an error naming it, so results are
/// never mixed. Interrupting (`shouldStop`) leaves every run resumable.
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
    let allTasks = try TrainingData.load(plan.base.dataset, seed: plan.base.seed).tasks.map(\.name)
    let runs = plan.runs(allTasks: allTasks)
    var out: [(RunRecord, Outcome)] = []
    for (i, run) in runs.enumerated() {
      if shouldStop() { break }
      let folder = RunFolder(URL(fileURLWithPath: run.config.output).appendingPathComponent(run.config.experiment).appendingPathComponent(run.id))
      var resume = false
      if folder.exists {
        let existing = try folder.readRecord()
        if let saved = existing.configuration, saved != run.config {
          throw TrainingError("run '\(run.id)' in \(folder.url.path) was made with a different configuration; use another experiment name (or delete that folder) to start afresh")
        }
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
}
