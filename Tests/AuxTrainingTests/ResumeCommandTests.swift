import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// `auxmtl train --resume` through the built binary (issue 10's done-when: a resume after
/// changing the learning rate refuses and names `optimizer.learning_rate`).
@Suite("Resume command")
struct ResumeCommandTests {
  static func arguments(_ output: URL) -> [String] {
    [
      "train", "--output", output.path, "--set", "dataset.size=32", "--set", "dataset.train_samples=16",
      "--set", "dataset.validation_samples=8", "--set", "dataset.test_samples=8", "--set", "training.epochs=1",
      "--set", "training.batch_size=8",
    ]
  }

  @Test("--resume with a changed learning rate exits non-zero naming the key; --allow-config-change needs --resume")
  func refusesThroughTheCLI() throws {
    let dir = try Fixtures.temporaryDirectory("resume-cli")
    let first = try BuiltCLI.run(Self.arguments(dir))
    #expect(first.status == 0, "\(first.stderr)")
    let run = dir.appendingPathComponent("default/ial-semantic-s0")
    let record = try Data(contentsOf: run.appendingPathComponent("run.json"))

    let refused = try BuiltCLI.run(Self.arguments(dir) + ["--resume", "--set", "optimizer.learning_rate=0.01"])
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("optimizer.learning_rate: 0.001 (run) → 0.01 (now)"), "\(refused.stderr)")
    #expect(try Data(contentsOf: run.appendingPathComponent("run.json")) == record, "a refused resume rewrote run.json")

    let misuse = try BuiltCLI.run(Self.arguments(dir) + ["--allow-config-change"])
    #expect(misuse.status != 0 && misuse.stderr.contains("--allow-config-change only applies with --resume"), "\(misuse.stderr)")
  }
}
