import AuxMTL
import Testing

@Suite("SingleProcessCommunicator")
struct SingleProcessCommunicatorTests {
  @Test("rank 0 of 1, root, name, and no bytes counted")
  func identity() {
    let comm = SingleProcessCommunicator()
    #expect(comm.rank == 0)
    #expect(comm.size == 1)
    #expect(comm.isRoot)
    #expect(comm.name == "single-process")
    #expect(comm.bytesCommunicated == 0)
  }

  @Test("every collective leaves the buffers' bits unchanged")
  func collectivesAreTheIdentity() throws {
    let comm = SingleProcessCommunicator()
    let floats: [Float] = [1.5, -0.0, .greatestFiniteMagnitude, .leastNonzeroMagnitude, 3e-8]
    let doubles: [Double] = [0.1, -2.5e300, 7]
    var f = floats
    var d = doubles
    try comm.allReduceSum(&f)
    try comm.allReduceSum(&d)
    #expect(f.map(\.bitPattern) == floats.map(\.bitPattern))
    #expect(d.map(\.bitPattern) == doubles.map(\.bitPattern))
    try comm.allReduceMean(&f)
    try comm.allReduceMean(&d)
    #expect(f.map(\.bitPattern) == floats.map(\.bitPattern))
    #expect(d.map(\.bitPattern) == doubles.map(\.bitPattern))
    try comm.broadcast(&f, root: 0)
    try comm.broadcast(&d, root: 0)
    #expect(f.map(\.bitPattern) == floats.map(\.bitPattern))
    #expect(d.map(\.bitPattern) == doubles.map(\.bitPattern))
    var empty: [Float] = []
    try comm.allReduceSum(&empty)
    #expect(empty.isEmpty)
    try comm.barrier()
    #expect(comm.bytesCommunicated == 0)
  }

  @Test("a broadcast root outside 0..<1 throws a message naming the root")
  func badRoot() {
    let comm = SingleProcessCommunicator()
    var f: [Float] = [1]
    var d: [Double] = [1]
    for root in [1, -1, 5] {
      #expect(throws: CommunicatorError("broadcast: root must be a rank in 0..<1 (one process); found \(root)")) {
        try comm.broadcast(&f, root: root)
      }
      #expect(throws: CommunicatorError("broadcast: root must be a rank in 0..<1 (one process); found \(root)")) {
        try comm.broadcast(&d, root: root)
      }
    }
    #expect(f == [1] && d == [1])
  }

  /// `allReduceMean` divides the sum by `size`; a stand-in communicator whose "all-reduce" adds
  /// a second rank's known values checks the mean without MPI.
  @Test("allReduceMean is the sum over ranks divided by size")
  func meanOfTwoRanks() throws {
    let comm = TwoRankStandIn(otherFloats: [3, -1, 0.5], otherDoubles: [0.25, 4])
    var f: [Float] = [1, 1, 1.5]
    var d: [Double] = [0.75, -2]
    try comm.allReduceMean(&f)
    try comm.allReduceMean(&d)
    #expect(f == [2, 0, 1])
    #expect(d == [0.5, 1])
  }
}

/// Rank 0 of a pretend group of two whose other rank holds fixed buffers: the sum is this rank's
/// values plus those.
private final class TwoRankStandIn: Communicator {
  let otherFloats: [Float]
  let otherDoubles: [Double]
  init(otherFloats: [Float], otherDoubles: [Double]) {
    self.otherFloats = otherFloats
    self.otherDoubles = otherDoubles
  }
  var rank: Int { 0 }
  var size: Int { 2 }
  var name: String { "stand-in" }
  var bytesCommunicated: Int { 0 }
  func allReduceSum(_ buffer: inout [Float]) throws { for i in buffer.indices { buffer[i] += otherFloats[i] } }
  func allReduceSum(_ buffer: inout [Double]) throws { for i in buffer.indices { buffer[i] += otherDoubles[i] } }
  func broadcast(_ buffer: inout [Float], root: Int) throws {}
  func broadcast(_ buffer: inout [Double], root: Int) throws {}
  func barrier() throws {}
}
