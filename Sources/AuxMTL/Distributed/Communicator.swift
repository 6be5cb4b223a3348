/// The collective operations a data-parallel run needs: every process ("rank") of a group calls
/// the same operation, in the same order, with buffers of the same length.
///
/// The default is ``SingleProcessCommunicator`` (one rank, every collective the identity), which
/// needs no MPI. An MPI implementation lives in the optional `AuxMPI` target, built with the
/// package trait `MPI` (`swift build -c release --traits MPI`, Open MPI from `libopenmpi-dev`).
///
/// ```swift
/// let comm: any Communicator = SingleProcessCommunicator()
/// var norms: [Double] = [0.5, 2.0]
/// try comm.allReduceSum(&norms)   // every rank now holds the element-wise sum over ranks
/// ```
///
/// Collectives are blocking and must be issued by every rank in the same order; the buffers'
/// lengths must agree across ranks (an implementation checks what it can and throws a
/// ``CommunicatorError`` otherwise). ``bytesCommunicated`` counts the payload bytes this rank
/// handed to collectives, so benchmarks can report communication per step.
public protocol Communicator: AnyObject {
  /// This process's 0-based index in the group.
  var rank: Int { get }
  /// The number of processes in the group (≥ 1).
  var size: Int { get }
  /// A short name for logs ("single-process", "mpi").
  var name: String { get }
  /// Payload bytes this rank has passed to collectives so far (all-reduce and broadcast buffers).
  var bytesCommunicated: Int { get }

  /// Replaces `buffer` on every rank with the element-wise sum of all ranks' buffers.
  func allReduceSum(_ buffer: inout [Float]) throws
  /// Replaces `buffer` on every rank with the element-wise sum of all ranks' buffers.
  func allReduceSum(_ buffer: inout [Double]) throws
  /// Replaces `buffer` on every rank with rank `root`'s buffer.
  func broadcast(_ buffer: inout [Float], root: Int) throws
  /// Replaces `buffer` on every rank with rank `root`'s buffer.
  func broadcast(_ buffer: inout [Double], root: Int) throws
  /// Returns once every rank has called it.
  func barrier() throws
}

extension Communicator {
  /// Whether this rank is rank 0 (the one that logs and writes checkpoints).
  public var isRoot: Bool { rank == 0 }

  /// Replaces `buffer` with the element-wise mean over ranks (sum, then ÷ ``size``).
  public func allReduceMean(_ buffer: inout [Float]) throws {
    try allReduceSum(&buffer)
    if size > 1 {
      let inverse = 1 / Float(size)
      for i in buffer.indices { buffer[i] *= inverse }
    }
  }

  /// Replaces `buffer` with the element-wise mean over ranks (sum, then ÷ ``size``).
  public func allReduceMean(_ buffer: inout [Double]) throws {
    try allReduceSum(&buffer)
    if size > 1 {
      let inverse = 1 / Double(size)
      for i in buffer.indices { buffer[i] *= inverse }
    }
  }
}
