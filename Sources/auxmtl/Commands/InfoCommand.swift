import ArgumentParser
import AuxEngine

struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Show the compute settings auxmtl runs with (BLAS kernel, threads, CPU features).")

  func run() throws {
    print("BLAS kernel (OpenBLAS core): \(BLAS.coreName)")
    print("BLAS threads: \(BLAS.threadCount)")
    print("BLAS build: \(BLAS.configuration)")
    print("CPU AVX-512: \(CPUFeatures.hasAVX512 ? "yes" : "no")")
    print("Distributed (MPI): \(Distributed.isMPIBuilt ? "built in (--distributed mpi)" : "not built (rebuild with --traits MPI)")")
    print("Recommended OPENBLAS_CORETYPE: \(CPUFeatures.recommendedOpenBLASCoreType ?? "(OpenBLAS default)")")
  }
}
