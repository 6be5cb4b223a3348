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
    @Test("every data-parallel method: 2 MPI ranks reach the single-process parameters")
    func equivalence() throws {
      let methods = DataParallelEquivalenceTests.exactMethods
      let result = try BuiltCLI.mpirun(
        ranks: 2, ["dp-check", "--methods", methods.joined(separator: ","), "--distributed", "mpi"], timeout: 300)
      #expect(!result.timedOut)
      #expect(result.status == 0, "mpirun failed: \(result.stderr)")
      let lines = try DataParallelCheckCommandTests.lines(result.stdout)
      #expect(lines.map(\.method) == methods, "rank 0 prints one line per method: \(result.stdout)")
      for line in lines {
        let single = try DataParallelCheck.run(DataParallelCheck.Settings(method: line.method), communicator: SingleProcessCommunicator())
        #expect(line.ranks == 2)
        #expect(line.bytes > 0)
        let gap = DataParallelEquivalenceTests.relativeGap(line.parameters, single)
        #expect(gap <= DataParallelEquivalenceTests.tolerance, "\(line.method): 2 MPI ranks vs 1 process, relative gap \(gap)")
        // The run moved, so the comparison could fail.
        let start = try DataParallelCheck.run(DataParallelCheck.Settings(method: line.method, steps: 0), communicator: SingleProcessCommunicator())
        #expect(DataParallelEquivalenceTests.relativeGap(single, start) > 1e-3)
      }
    }

    @Test("over 2 MPI ranks, a method that is not data-parallel and an indivisible batch are clear errors, not hangs")
    func refusals() throws {
      let dwa = try BuiltCLI.mpirun(ranks: 2, ["dp-check", "--methods", "dwa", "--distributed", "mpi"], timeout: 120)
      #expect(!dwa.timedOut)
      #expect(dwa.status != 0)
      #expect(dwa.stderr.contains("dwa is not data-parallel"), "stderr: \(dwa.stderr)")
      let odd = try BuiltCLI.mpirun(ranks: 2, ["dp-check", "--global-batch", "7", "--distributed", "mpi"], timeout: 120)
      #expect(!odd.timedOut)
      #expect(odd.status != 0)
      #expect(odd.stderr.contains("the global batch (7) must be a positive multiple of the number of ranks (2)"), "stderr: \(odd.stderr)")
    }
  }
#endif
