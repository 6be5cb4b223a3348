#if MPI
import AuxMTL
import CMPI

/// A ``Communicator`` over MPI's world communicator (Open MPI through the `CMPI` system library).
///
/// Built only with the package trait `MPI` (`swift build -c release --traits MPI`); launch the
/// program with `mpirun -np N`. One instance per process: ``init()`` calls `MPI_Init` (unless MPI
/// is already initialised) and ``finalize()`` calls `MPI_Finalize`.
///
/// Every collective maps to one MPI call on `MPI_COMM_WORLD`: `MPI_Allreduce` in place with
/// `MPI_SUM`, `MPI_Bcast`, `MPI_Barrier`. MPI's sum order is fixed for a given group and message
/// size (Open MPI picks the algorithm from both), so repeated runs give the same bits, but the
/// order differs from a single process's left-to-right sum: results agree with one process within
/// float rounding, not bit for bit.
public final class MPICommunicator: Communicator {
  public let rank: Int
  public let size: Int
  public var name: String { "mpi" }
  public private(set) var bytesCommunicated = 0
  private var finalized = false

  /// Initialises MPI (when not yet initialised) and reads this process's rank and the world size.
  ///
  /// - Throws: ``CommunicatorError`` with MPI's message when initialisation fails.
  public init() throws {
    var initialized: Int32 = 0
    MPI_Initialized(&initialized)
    if initialized == 0 {
      try MPICommunicator.check(MPI_Init(nil, nil), "MPI_Init")
    }
    // Errors come back as codes (thrown with MPI's message) instead of aborting the job.
    try MPICommunicator.check(MPI_Comm_set_errhandler(cmpi_comm_world(), cmpi_errors_return()), "MPI_Comm_set_errhandler")
    var r: Int32 = 0
    var s: Int32 = 0
    try MPICommunicator.check(MPI_Comm_rank(cmpi_comm_world(), &r), "MPI_Comm_rank")
    try MPICommunicator.check(MPI_Comm_size(cmpi_comm_world(), &s), "MPI_Comm_size")
    rank = Int(r)
    size = Int(s)
  }

  /// Calls `MPI_Finalize` once (later calls do nothing); no collective may follow.
  public func finalize() {
    guard !finalized else { return }
    finalized = true
    var done: Int32 = 0
    MPI_Finalized(&done)
    if done == 0 { MPI_Finalize() }
  }

  public func allReduceSum(_ buffer: inout [Float]) throws {
    try checkLength(buffer.count, "allReduceSum")
    let n = buffer.count
    try buffer.withUnsafeMutableBufferPointer { p in
      try MPICommunicator.check(
        MPI_Allreduce(cmpi_in_place(), p.baseAddress, Int32(n), cmpi_float(), cmpi_sum(), cmpi_comm_world()),
        "MPI_Allreduce")
    }
    bytesCommunicated += n * MemoryLayout<Float>.size
  }

  public func allReduceSum(_ buffer: inout [Double]) throws {
    try checkLength(buffer.count, "allReduceSum")
    let n = buffer.count
    try buffer.withUnsafeMutableBufferPointer { p in
      try MPICommunicator.check(
        MPI_Allreduce(cmpi_in_place(), p.baseAddress, Int32(n), cmpi_double(), cmpi_sum(), cmpi_comm_world()),
        "MPI_Allreduce")
    }
    bytesCommunicated += n * MemoryLayout<Double>.size
  }

  public func broadcast(_ buffer: inout [Float], root: Int) throws {
    try checkRoot(root)
    try checkLength(buffer.count, "broadcast")
    let n = buffer.count
    try buffer.withUnsafeMutableBufferPointer { p in
      try MPICommunicator.check(
        MPI_Bcast(p.baseAddress, Int32(n), cmpi_float(), Int32(root), cmpi_comm_world()), "MPI_Bcast")
    }
    bytesCommunicated += n * MemoryLayout<Float>.size
  }

  public func broadcast(_ buffer: inout [Double], root: Int) throws {
    try checkRoot(root)
    try checkLength(buffer.count, "broadcast")
    let n = buffer.count
    try buffer.withUnsafeMutableBufferPointer { p in
      try MPICommunicator.check(
        MPI_Bcast(p.baseAddress, Int32(n), cmpi_double(), Int32(root), cmpi_comm_world()), "MPI_Bcast")
    }
    bytesCommunicated += n * MemoryLayout<Double>.size
  }

  public func barrier() throws {
    try MPICommunicator.check(MPI_Barrier(cmpi_comm_world()), "MPI_Barrier")
  }

  private func checkRoot(_ root: Int) throws {
    guard (0..<size).contains(root) else {
      throw CommunicatorError("broadcast: root must be a rank in 0..<\(size); found \(root)")
    }
  }

  private func checkLength(_ n: Int, _ what: String) throws {
    guard !finalized else { throw CommunicatorError("\(what): MPI was already finalised") }
    guard n <= Int(Int32.max) else {
      throw CommunicatorError("\(what): a buffer of \(n) elements exceeds MPI's count limit \(Int32.max)")
    }
  }

  /// Throws MPI's error string for a non-success return code.
  private static func check(_ code: Int32, _ call: String) throws {
    guard code != cmpi_success() else { return }
    var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
    var length: Int32 = 0
    MPI_Error_string(code, &text, &length)
    let message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    throw CommunicatorError("\(call) failed (code \(code)): \(message)")
  }
}
#endif
