import ArgumentParser
import AuxEngine
import AuxTraining
import Foundation

/// Shared pieces of the commands: BLAS threads, printing results, running an experiment.
enum CLISupport {
  /// Sets the BLAS thread count from the config (0: all cores), unless OPENBLAS_NUM_THREADS is set.
  static func applyThreads(_ config: TrainConfig) throws {
    if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] != nil { return }
    let n = config.training.threads > 0 ? config.training.threads : ProcessInfo.processInfo.activeProcessorCount
    BLAS.threadCount = n
  }

  /// Prints a finished run's test metrics, main metrics first.
  static func printFinalMetrics(_ record: RunRecord) {
    print("test metrics (epoch \(record.bestEpoch ?? record.epochsCompleted)):")
    for task in record.tasks {
      let values = record.finalMetrics.filter { $0.task == task }
      let main = record.mainMetrics[task]
      let text = values.map { "\($0.metric)\($0.metric == main ? "*" : "") \(ProgressBar.format($0.value))" }.joined(separator: "  ")
      print("  \(task): \(text)")
    }
  }

  /// Runs a comparison plan with progress on the terminal, then writes the report.
  static func runExperiment(_ plan: ExperimentPlan) throws {
    let runner = ExperimentRunner(plan: plan, networks: StandardNetworks.factory)
    let results = try runner.run(
      progress: { id, i, n in ProgressBar(prefix: "[\(i)/\(n)] \(id)") }, log: { print($0) },
      shouldStop: { Interrupt.isRequested })
    if results.last?.1 == .interrupted || Interrupt.isRequested {
      print("stopped; run the same command again to continue")
      throw ExitCode(130)
    }
    let folder = URL(fileURLWithPath: plan.base.output).appendingPathComponent(plan.base.experiment)
    try ReportCommand.writeReport(experiment: folder, output: nil as URL?)
  }
}
