import ArgumentParser
import AuxBench
import AuxMTL
import Foundation

/// `auxmtl dp-check`: trains the tiny model of ``AuxBench/DataParallelCheck`` a few steps under
/// each named method and prints, from rank 0, one JSON line per method with the final parameters
/// and the bytes this rank communicated — so `mpirun -np 2 … --distributed mpi` can be compared
/// with a run of one process on the same global batches.
struct DataParallelCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dp-check",
    abstract: "Train a tiny model a few steps per method and print its parameters (data-parallel equivalence check).",
    shouldDisplay: false)

  @Option(name: .long, help: "Comma-separated registered methods.")
  var methods: String = "ew"

  @Option(name: .long, help: "Optimiser steps.")
  var steps: Int = 4

  @Option(name: .customLong("global-batch"), help: "Samples per step over all ranks (divisible by the number of ranks).")
  var globalBatch: Int = 8

  @Option(name: .long, help: "Seed of the model, data, order and method.")
  var seed: UInt64 = 3

  @Option(name: .long, help: "none or mpi (launch with mpirun -np N).")
  var distributed: DistributedMode = .none

  func run() throws {
    let comm = try Distributed.communicator(distributed)
    defer { Distributed.finish(comm) }
    for name in methods.split(separator: ",").map(String.init) {
      let before = comm.bytesCommunicated
      let settings = DataParallelCheck.Settings(method: name, steps: steps, globalBatch: globalBatch, seed: seed)
      let parameters = try DataParallelCheck.run(settings, communicator: comm)
      if comm.isRoot {
        print(
          "{\"method\":\"\(name)\",\"ranks\":\(comm.size),\"bytes\":\(comm.bytesCommunicated - before),\"parameters\":[\(parameters.map { "\($0)" }.joined(separator: ","))]}")
      }
    }
  }
}
