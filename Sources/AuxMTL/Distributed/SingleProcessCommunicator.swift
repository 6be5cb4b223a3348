/// The communicator of a run with one process: rank 0 of 1, every collective the identity.
///
/// This is the default everywhere a ``Communicator`` is taken, so a build without MPI trains
/// exactly as before: no collective changes a value, and ``bytesCommunicated`` stays 0.
public final class SingleProcessCommunicator: Communicator {
  public init() {}

  public var rank: Int { 0 }
  public var size: Int { 1 }
  public var name: String { "single-process" }
  public var bytesCommunicated: Int { 0 }

  public func allReduceSum(_ buffer: inout [Float]) throws {}
  public func allReduceSum(_ buffer: inout [Double]) throws {}
  public func broadcast(_ buffer: inout [Float], root: Int) throws { try checkRoot(root) }
  public func broadcast(_ buffer: inout [Double], root: Int) throws { try checkRoot(root) }
  public func barrier() throws {}

  private func checkRoot(_ root: Int) throws {
    guard root == 0 else {
      throw CommunicatorError("broadcast: root must be a rank in 0..<1 (one process); found \(root)")
    }
  }
}
