import ArgumentParser
import AuxMTL
import Foundation

#if MPI
  import AuxMPI
#endif

/// How a command spreads its work over processes: `none` (one process, the default) or `mpi`
/// (one rank per process of `mpirun -np N`, needs the build with the trait MPI).
enum DistributedMode: String, ExpressibleByArgument, CaseIterable {
  case none
  case mpi
}

/// Creating the communicator for `--distributed`, and the checks on how the process was launched.
enum Distributed {
  /// Whether this binary was built with the MPI trait.
  static var isMPIBuilt: Bool {
    #if MPI
      return true
    #else
      return false
    #endif
  }

  /// The world size a launcher (Open MPI's mpirun, or a PMI launcher) announced in the
  /// environment, or nil when the process was started directly.
  static var launcherWorldSize: Int? {
    let env = ProcessInfo.processInfo.environment
    for key in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"] {
      if let text = env[key], let n = Int(text) { return n }
    }
    return nil
  }

  /// The communicator for `mode`, or a clear error when the build or the launch does not fit.
  ///
  /// - Throws: `ValidationError` when `mode` is `mpi` in a build without MPI, or when the process
  ///   was launched by mpirun with more than one rank but `mode` is `none` (every rank would run
  ///   the whole job on its own).
  static func communicator(_ mode: DistributedMode) throws -> any Communicator {
    switch mode {
    case .none:
      if let n = launcherWorldSize, n > 1 {
        throw ValidationError(
          "this process was launched with \(n) ranks (mpirun) but --distributed is none: every rank would run the whole job; pass --distributed mpi")
      }
      return SingleProcessCommunicator()
    case .mpi:
      #if MPI
        return try MPICommunicator()
      #else
        throw ValidationError(
          "--distributed mpi: this auxmtl was built without MPI; install Open MPI (apt-get install libopenmpi-dev openmpi-bin) and rebuild with `swift build -c release --traits MPI`")
      #endif
    }
  }

  /// Ends the MPI session of `communicator` (MPI_Finalize), when it has one.
  static func finish(_ communicator: any Communicator) {
    #if MPI
      (communicator as? MPICommunicator)?.finalize()
    #endif
  }
}
