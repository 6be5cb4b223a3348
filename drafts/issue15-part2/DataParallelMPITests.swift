import AuxBench
import AuxMTL
import AuxTestSupport
import Foundation
import Testing

#if MPI
  /// The data-parallel equivalence with real MPI ranks: `mpirun --oversubscribe -np 2 auxmtl
  /// dp-check --distributed mpi` against one process in this test, same global batches, same
  /// tolerance as ``DataParallelEquivalenceTests`` (float32 reduction order). Compiled only with
  /// the trait MPI; a missing or failing mpirun fails it.
  @Suite("Data-parallel step over 2 MPI ranks")
  struct DataParallelMPITests {
    struct Line: Decodable {
      let method: String
      let ranks: Int
      let bytes: Int
      let parameters: [Float]
    }

    @Test("every data-parallel exact method: 2 MPI ranks reach the single-process parameters")
    func equivalence() throws {
      let methods = DataParallelEquivalenceTests.exactMethods
      let result = try BuiltCLI.mpirun(
        ranks: 2, ["dp-check", "--methods", methods.joined(separator: ","), "--distributed", "mpi"], timeout: 300)
      #expect(!result.timedOut)
      #expect(result.status == 0, "mpirun failed: \(result.stderr)")
      let lines = try result.stdout.split(separator: "\n").filter { $0.hasPrefix("{") }.map {
        try JSONDecoder().decode(Line.self, from: Data($0.utf8))
      }
      #expect(lines.map(\.method) == methods, "rank 0 prints one line per method: \(result.stdout)")
      for line in lines {
        let single = try DataParallelCheck.run(DataParallelCheck.Settings(method: line.method), communicator: SingleProcessCommunicator())
        #expect(line.ranks == 2)
        #expect(line.bytes > 0)
        let gap = DataParallelEquivalenceTests.relativeGap(line.parameters, single)
        #expect(gap <= DataParallelEquivalenceTests.tolerance, "\(line.method): 2 MPI ranks vs 1 process, relative gap \(gap)")
      }
    }
  }
#endif
