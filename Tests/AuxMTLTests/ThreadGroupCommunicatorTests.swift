import AuxMTL
import Testing

@Suite("ThreadGroupCommunicator and DataShard")
struct ThreadGroupCommunicatorTests {
  @Test("3 ranks: sums in rank order, broadcast from each root, barrier, byte counts")
  func collectives() throws {
    let out = try ThreadGroupCommunicator.run(ranks: 3) { comm -> ([Float], [Double], [Double], Int) in
      var f: [Float] = [Float(comm.rank + 1), -0.5]
      try comm.allReduceSum(&f)
      var d: [Double] = [Double(comm.rank) * 0.25]
      try comm.allReduceMean(&d)
      var b: [Double] = [Double(comm.rank), 7]
      try comm.broadcast(&b, root: 2)
      try comm.barrier()
      return (f, d, b, comm.bytesCommunicated)
    }
    #expect(out.count == 3)
    for (f, d, b, bytes) in out {
      #expect(f == [6, -1.5])
      #expect(d == [0.25])
      #expect(b == [2, 7])
      #expect(bytes == 2 * 4 + 8 + 2 * 8)
    }
  }

  @Test("mismatched lengths and a failing rank throw on every rank instead of hanging")
  func failures() throws {
    #expect(throws: CommunicatorError("allReduceSum: buffer lengths differ across ranks (1, 2)")) {
      _ = try ThreadGroupCommunicator.run(ranks: 2) { comm in
        var x = [Float](repeating: 1, count: comm.rank + 1)
        try comm.allReduceSum(&x)
      }
    }
    struct Boom: Error {}
    // The failing rank's own error surfaces, whichever rank it is.
    for failing in [0, 1] {
      #expect(throws: Boom.self) {
        _ = try ThreadGroupCommunicator.run(ranks: 2) { comm in
          if comm.rank == failing { throw Boom() }
          var x: [Double] = [1]
          try comm.allReduceSum(&x)
        }
      }
    }
    // One rank issues a collective more than the other: it throws instead of waiting forever.
    #expect(throws: CommunicatorError("barrier: another rank of the group has left (it failed, or the ranks issued different collectives)")) {
      _ = try ThreadGroupCommunicator.run(ranks: 2) { comm in
        var x: [Float] = [1]
        try comm.allReduceSum(&x)
        if comm.rank == 1 { try comm.barrier() }
      }
    }
    #expect(throws: CommunicatorError("broadcast: root must be a rank in 0..<2; found 2")) {
      _ = try ThreadGroupCommunicator.run(ranks: 2) { comm in
        var x: [Float] = [1]
        try comm.broadcast(&x, root: 2)
      }
    }
  }

  @Test("shards are disjoint, cover the global batch in order, and refuse an indivisible batch")
  func shards() throws {
    let batch = [9, 4, 7, 1, 0, 3]
    let parts = try (0..<3).map { try DataShard(globalBatch: 6, rank: $0, size: 3).indices(of: batch) }
    #expect(parts == [[9, 4], [7, 1], [0, 3]])
    #expect(try DataShard(globalBatch: 6, rank: 0, size: 1).indices(of: batch) == batch)
    #expect(throws: CommunicatorError("DataShard: the global batch (6) must be a positive multiple of the number of ranks (4); use a batch size divisible by 4")) {
      try DataShard(globalBatch: 6, rank: 0, size: 4)
    }
    #expect(throws: CommunicatorError("DataShard: rank must be in 0..<3; found 3")) { try DataShard(globalBatch: 6, rank: 3, size: 3) }
    #expect(throws: CommunicatorError("DataShard: a global batch of 5 samples, expected 6")) {
      try DataShard(globalBatch: 6, rank: 0, size: 3).indices(of: [1, 2, 3, 4, 5])
    }
  }
}
