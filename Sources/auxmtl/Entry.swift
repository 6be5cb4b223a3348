import ArgumentParser
import AuxEngine

/// The `auxmtl` command: a thin layer over the library targets.
@main
struct Entry {
  static func main() {
    BLASRuntime.configureProcess()
    AuxMTLCommand.main()
  }
}

struct AuxMTLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "auxmtl",
    abstract: "Train multi-task networks where one task is primary and the others help it.",
    discussion: """
      auxmtl trains a shared encoder with one decoder per task and balances the tasks with a \
      weighting method (IAL by default). Start with `auxmtl demo`, then see `auxmtl <command> --help`.

      Environment: OPENBLAS_CORETYPE and OPENBLAS_NUM_THREADS are honoured when set; otherwise auxmtl \
      picks the OpenBLAS kernel for this CPU (see `auxmtl info`).
      """,
    subcommands: [
      DemoCommand.self, TrainCommand.self, CompareCommand.self, ReportCommand.self, MethodsCommand.self, ComponentsCommand.self,
      BenchCommand.self, InfoCommand.self, CommCheckCommand.self, DataParallelCheckCommand.self,
    ])
}
