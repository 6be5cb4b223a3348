import AuxTestSupport
import Foundation
import Testing

#if MPI
  /// The MPI collectives run for real: two ranks of the built `auxmtl comm-check` under
  /// `mpirun --oversubscribe -np 2`. Compiled only with the package trait MPI; with the trait on,
  /// a missing or failing `mpirun` is a failure, not a skip.
  @Suite("MPICommunicator over 2 ranks")
  struct MPICommunicatorTests {
    struct Line: Decodable {
      let rank: Int
      let size: Int
      let name: String
      let floats: [Float]
      let doubles: [Double]
      let broadcast: [Double]
      let bytes: Int
    }

    static func lines(_ result: BuiltCLI.Result) throws -> [Line] {
      try result.stdout.split(separator: "\n").filter { $0.hasPrefix("{") }.map {
        try JSONDecoder().decode(Line.self, from: Data($0.utf8))
      }
    }

    @Test("all-reduce sums, broadcast from either root, barrier, and the byte count on both ranks", arguments: [0, 1])
    func collectives(root: Int) throws {
      let result = try BuiltCLI.mpirun(ranks: 2, ["comm-check", "--distributed", "mpi", "--root", "\(root)"], timeout: 120)
      #expect(!result.timedOut)
      #expect(result.status == 0, "mpirun failed: \(result.stderr)")
      let lines = try Self.lines(result)
      #expect(lines.map(\.rank).sorted() == [0, 1], "stdout: \(result.stdout)")
      for line in lines {
        #expect(line.size == 2)
        #expect(line.name == "mpi")
        // Rank r sends Float [r+1, (r+1)/2, -(r+1)] and Double [1e-3·(r+1), r].
        #expect(line.floats == [3, 1.5, -3])
        #expect(line.doubles == [1e-3 * 1 + 1e-3 * 2, 1])
        #expect(line.broadcast == [42 + Double(root), -Double(root)])
        // 3 Floats + 2 Doubles all-reduced, 2 Doubles broadcast.
        #expect(line.bytes == 3 * 4 + 2 * 8 + 2 * 8)
      }
    }

    @Test("a broadcast root outside the group is a clear error, not an MPI abort")
    func badRoot() throws {
      let result = try BuiltCLI.mpirun(ranks: 2, ["comm-check", "--distributed", "mpi", "--root", "2"], timeout: 120)
      #expect(!result.timedOut)
      #expect(result.status != 0)
      #expect(result.stderr.contains("broadcast: root must be a rank in 0..<2; found 2"), "stderr: \(result.stderr)")
    }

    @Test("launched by mpirun with 2 ranks but --distributed none: refused with the fix named")
    func launchedWithoutDistributed() throws {
      let result = try BuiltCLI.mpirun(ranks: 2, ["comm-check"], timeout: 120)
      #expect(!result.timedOut)
      #expect(result.status != 0)
      #expect(result.stderr.contains("launched with 2 ranks (mpirun) but --distributed is none"), "stderr: \(result.stderr)")
    }
  }
#endif
