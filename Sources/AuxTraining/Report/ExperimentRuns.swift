import AuxIO
import Foundation

/// A finished run with everything the report reads from its folder.
public struct LoadedRun: Sendable {
  public let folder: RunFolder
  public let record: RunRecord
  /// `metrics.jsonl`: one entry per evaluation.
  public let evaluations: [EvaluationRecord]
  /// `steps.jsonl`: the method's values every few steps.
  public let steps: [StepRecord]

  public init(folder: RunFolder, record: RunRecord, evaluations: [EvaluationRecord], steps: [StepRecord]) {
    self.folder = folder
    self.record = record
    self.evaluations = evaluations
    self.steps = steps
  }

  /// The run's primary tasks by name (``RunRecord/primaryTasks``; a record that says `all`
  /// means every task it trained).
  public var primaryTasks: [String] {
    record.primaryTasks == [TrainConfig.allTasks] ? record.tasks : record.primaryTasks
  }

  /// The final (test) value of `task`'s metric `metric`, or nil.
  public func finalValue(task: String, metric: String) -> MetricRecord? {
    record.finalMetrics.first { $0.task == task && $0.metric == metric }
  }

  /// Every final metric of `task`, in the order recorded.
  public func finalMetrics(task: String) -> [MetricRecord] {
    record.finalMetrics.filter { $0.task == task }
  }
}

/// A run folder the report leaves out, and why.
public struct ExcludedRun: Sendable, Equatable {
  /// The run id (its folder name when the record cannot be read).
  public let id: String
  public let folder: URL
  /// `running`, `interrupted`, `failed`, `finished` (without final metrics) or `unreadable`.
  public let status: String
  public let reason: String
}

/// The runs of one experiment folder, split into those the tables use and those they leave out.
///
/// Only runs in status `finished` with final metrics enter the tables. Runs still `running` (or
/// interrupted: `auxmtl train --resume` continues them), `failed` runs, and folders whose files
/// cannot be read are listed in ``excluded`` with the reason, never averaged in.
public struct ExperimentRuns: Sendable {
  /// The experiment folder.
  public let directory: URL
  public let included: [LoadedRun]
  public let excluded: [ExcludedRun]
  /// Problems that left a run in the tables but out of some plots (a damaged `steps.jsonl` or
  /// `metrics.jsonl`: the tables read `run.json`), one sentence each naming the file.
  public let warnings: [String]

  public init(directory: URL, included: [LoadedRun], excluded: [ExcludedRun], warnings: [String] = []) {
    self.directory = directory
    self.included = included
    self.excluded = excluded
    self.warnings = warnings
  }

  /// Reads every run folder directly under `directory`.
  ///
  /// - Throws: ``AuxIO/FormatError`` when `directory` is not a folder or holds no run folder
  ///   (a folder with a `run.json`).
  public static func load(from directory: URL) throws -> ExperimentRuns {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw FormatError(file: directory.path, "not a folder: give the experiment folder that holds the run folders (<output>/<experiment>)")
    }
    let folders = try RunFolder.runs(in: directory)
    let withoutRecord = RunFolder.foldersWithoutRecord(in: directory)
    guard !folders.isEmpty || !withoutRecord.isEmpty else {
      throw FormatError(file: directory.path, "holds no run folder (a folder with a run.json); give the experiment folder, <output>/<experiment>")
    }
    var included: [LoadedRun] = []
    var excluded = withoutRecord.map {
      ExcludedRun(
        id: $0.url.lastPathComponent, folder: $0.url, status: "unreadable",
        reason: "\($0.recordURL.path) is missing (the folder holds other run files); its results cannot be read")
    }
    var warnings: [String] = []
    for folder in folders {
      let name = folder.url.lastPathComponent
      let record: RunRecord
      do {
        record = try folder.readRecord()
      } catch {
        excluded.append(ExcludedRun(id: name, folder: folder.url, status: "unreadable", reason: "\(error)"))
        continue
      }
      switch record.status {
      case .running:
        excluded.append(ExcludedRun(
          id: record.id, folder: folder.url, status: "running",
          reason: "not finished (\(record.epochsCompleted) of \(record.epochsPlanned) epochs); still training, or killed (auxmtl train --resume continues it)"))
        continue
      case .interrupted:
        excluded.append(ExcludedRun(
          id: record.id, folder: folder.url, status: "interrupted",
          reason: "interrupted after \(record.epochsCompleted) of \(record.epochsPlanned) epochs (auxmtl train --resume continues it)"))
        continue
      case .failed:
        excluded.append(ExcludedRun(id: record.id, folder: folder.url, status: "failed", reason: "failed: \(record.error ?? "no error recorded")"))
        continue
      case .finished:
        break
      }
      if record.finalMetrics.isEmpty {
        excluded.append(ExcludedRun(id: record.id, folder: folder.url, status: "finished", reason: "finished without final metrics"))
        continue
      }
      if record.isSingleTask && record.tasks.count != 1 {
        excluded.append(ExcludedRun(
          id: record.id, folder: folder.url, status: "finished",
          reason: "a single-task run must train one task; it lists \(record.tasks.joined(separator: ", "))"))
        continue
      }
      // Both files only feed the plots; the tables read run.json, so damage there costs a curve,
      // not the run.
      let evaluations: [EvaluationRecord]
      let steps: [StepRecord]
      do {
        evaluations = try folder.evaluations()
      } catch {
        evaluations = []
        warnings.append("run \(record.id): \(error); its validation curves are left out of the plots")
      }
      do {
        steps = try folder.steps()
      } catch {
        steps = []
        warnings.append("run \(record.id): \(error); its method-value plots are left out")
      }
      included.append(LoadedRun(folder: folder, record: record, evaluations: evaluations, steps: steps))
    }
    excluded.sort { $0.id < $1.id }
    return ExperimentRuns(directory: directory, included: included, excluded: excluded, warnings: warnings)
  }
}
