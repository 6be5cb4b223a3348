import ArgumentParser
import AuxMTL
import Foundation

/// `auxmtl comm-check`: runs each collective once on known values and prints one JSON line per
/// rank with what came back, so a test (or a user checking an MPI install) can compare them with
/// the sums computed by hand.
///
/// Rank r contributes Float `[r + 1, 0.5 · (r + 1), -(r + 1)]` and Double `[1e-3 · (r + 1), r]`
/// to the all-reduces, and rank `root` broadcasts `[42 + root, -root]`.
struct CommCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "comm-check",
    abstract: "Run each collective once on known values and print what every rank received.",
    shouldDisplay: false)

  @Option(name: .long, help: "none or mpi (launch with mpirun -np N).")
  var distributed: DistributedMode = .none

  @Option(name: .long, help: "The rank that broadcasts.")
  var root: Int = 0

  func run() throws {
    let comm = try Distributed.communicator(distributed)
    defer { Distributed.finish(comm) }
    let r = Float(comm.rank + 1)
    var floats: [Float] = [r, 0.5 * r, -r]
    try comm.allReduceSum(&floats)
    var doubles: [Double] = [1e-3 * Double(comm.rank + 1), Double(comm.rank)]
    try comm.allReduceSum(&doubles)
    var broadcast: [Double] = comm.rank == root ? [42 + Double(root), -Double(root)] : [0, 0]
    try comm.broadcast(&broadcast, root: root)
    try comm.barrier()
    let fields = [
      "\"rank\":\(comm.rank)", "\"size\":\(comm.size)", "\"name\":\"\(comm.name)\"",
      "\"floats\":[\(floats.map { "\($0)" }.joined(separator: ","))]",
      "\"doubles\":[\(doubles.map { "\($0)" }.joined(separator: ","))]",
      "\"broadcast\":[\(broadcast.map { "\($0)" }.joined(separator: ","))]",
      "\"bytes\":\(comm.bytesCommunicated)",
    ]
    print("{" + fields.joined(separator: ",") + "}")
  }
}
