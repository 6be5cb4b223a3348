import AuxBench
import AuxMTL
import AuxTestSupport
import Foundation
import Testing

/// `auxmtl dp-check`, the command the 2-rank MPI test launches, in one process: its JSON lines
/// carry exactly the parameters of ``DataParallelCheck/run(_:communicator:)`` in this process.
@Suite("auxmtl dp-check")
struct DataParallelCheckCommandTests {
  struct Line: Decodable {
    let method: String
    let ranks: Int
    let bytes: Int
    let parameters: [Float]
  }

  static func lines(_ stdout: String) throws -> [Line] {
    try stdout.split(separator: "\n").filter { $0.hasPrefix("{") }.map {
      try JSONDecoder().decode(Line.self, from: Data($0.utf8))
    }
  }

  @Test("one process: one line per method with the in-process parameters, bit for bit")
  func singleProcess() throws {
    let result = try BuiltCLI.run(["dp-check", "--methods", "ew,ial", "--steps", "3"], timeout: 120)
    #expect(!result.timedOut)
    #expect(result.status == 0, "dp-check failed: \(result.stderr)")
    let lines = try Self.lines(result.stdout)
    #expect(lines.map(\.method) == ["ew", "ial"], "stdout: \(result.stdout)")
    for line in lines {
      #expect(line.ranks == 1)
      #expect(line.bytes == 0)
      let expected = try DataParallelCheck.run(DataParallelCheck.Settings(method: line.method, steps: 3), communicator: SingleProcessCommunicator())
      #expect(line.parameters == expected, "\(line.method): the printed parameters differ from the in-process run")
    }
  }

  @Test("an unknown method is a clear error")
  func unknownMethod() throws {
    let result = try BuiltCLI.run(["dp-check", "--methods", "no-such-method"], timeout: 120)
    #expect(!result.timedOut)
    #expect(result.status != 0)
    #expect(result.stderr.contains("no-such-method"), "stderr: \(result.stderr)")
  }
}
