import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// The commands in the headers of the paper-experiment presets run as written (with a step cap):
/// every `auxmtl train` and `auxmtl compare` line of `configs/scenes-{pseudo-teacher,pseudo,
/// broken-head,ablations,noise}.yaml` is parsed, its `--config`, `--set` and `--methods` are
/// applied, and the runs train for one step on a tiny data set.
@Suite("Paper experiment presets")
struct PaperPresetCommandTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Splits a command line into words (single and double quotes group; `$(...)` is not used).
  static func words(_ line: String) -> [String] {
    var out: [String] = []
    var current = ""
    var quote: Character? = nil
    var inWord = false
    for ch in line {
      if let q = quote {
        if ch == q { quote = nil } else { current.append(ch) }
      } else if ch == "'" || ch == "\"" {
        quote = ch
        inWord = true
      } else if ch == " " {
        if inWord { out.append(current) }
        current = ""
        inWord = false
      } else {
        current.append(ch)
        inWord = true
      }
    }
    if inWord { out.append(current) }
    return out
  }

  /// The auxmtl commands of a preset's header, loop variables set to `value`: each as the words
  /// after `auxmtl` (up to a `;`).
  static func commands(_ preset: String, value: String = "0.3") throws -> [[String]] {
    let text = try String(contentsOf: root.appendingPathComponent("configs/\(preset)"), encoding: .utf8)
    var out: [[String]] = []
    for raw in text.split(separator: "\n") where raw.hasPrefix("#") && raw.contains("auxmtl ") {
      var line = String(raw.dropFirst()).replacingOccurrences(of: "$w", with: value).replacingOccurrences(of: "$r", with: value)
      guard let start = line.range(of: "auxmtl ") else { continue }
      line = String(line[start.upperBound...])
      if let semicolon = line.firstIndex(of: ";") { line = String(line[..<semicolon]) }
      let w = words(line)
      if w.first == "train" || w.first == "compare" { out.append(w) }
    }
    return out
  }

  /// The step cap and tiny data every command runs with here.
  static func cap(_ output: URL) -> [String] {
    [
      "output=\(output.path)", "dataset.size=32", "dataset.train_samples=16", "dataset.validation_samples=8", "dataset.test_samples=8",
      "training.epochs=1", "training.max_steps_per_epoch=1", "training.batch_size=8", "training.threads=1", "training.prefetch=0",
    ]
  }

  /// Runs one parsed command with the cap; teacher paths under `runs/` point into `output`.
  static func run(_ words: [String], output: URL) throws {
    var file: String?
    var sets: [String] = []
    var methods = "ial,ew,uw"
    var i = 1
    while i < words.count {
      switch words[i] {
      case "--config": file = words[i + 1]
      case "--set": sets.append(words[i + 1])
      case "--methods": methods = words[i + 1]
      case "--seeds": break
      default: Issue.record("unexpected argument \(words[i]) in \(words)")
      }
      i += 2
    }
    var config = try TrainConfig.load(file: file.map { root.appendingPathComponent($0) }, overrides: sets + cap(output))
    for (name, var entry) in config.tasks.pseudoTasks {
      if let t = entry.teacher, t.hasPrefix("runs/") { entry.teacher = output.appendingPathComponent(String(t.dropFirst(5))).path }
      config.tasks.pseudoTasks[name] = entry
    }
    if words[0] == "train" {
      #expect(try RunBuilder.makeTrainer(config, networks: StandardNetworks.factory).run(resume: false).status == .finished)
    } else {
      let plan = ExperimentPlan(base: config, methods: methods.split(separator: ",").map(String.init), primaries: [config.tasks.primary], seeds: [0])
      let results = try ExperimentRunner(plan: plan, networks: StandardNetworks.factory).run()
      #expect(results.count == plan.runs(allTasks: []).count && results.allSatisfy { $0.0.status == .finished }, "\(words)")
    }
  }

  @Test("pseudo tasks: the teacher, then both compares, as the header writes them", .timeLimit(.minutes(5)))
  func pseudo() throws {
    let out = try Fixtures.temporaryDirectory("preset-pseudo")
    let teacher = try Self.commands("scenes-pseudo-teacher.yaml")
    let student = try Self.commands("scenes-pseudo.yaml")
    #expect(teacher.count == 1 && student.count == 3)
    for c in teacher + student.filter({ $0[0] == "compare" }) { try Self.run(c, output: out) }
    let record = try RunFolder(out.appendingPathComponent("scenes-pseudo/ial-semantic-s0")).readRecord()
    #expect(record.tasks.contains("pseudo_semantic") && record.tasks.contains("pseudo_scene"))
    let none = try RunFolder(out.appendingPathComponent("scenes-pseudo-none/ial-semantic-s0")).readRecord()
    #expect(!none.tasks.contains("pseudo_semantic"))
  }

  @Test("broken head, ablations, noise: every compare of the headers", .timeLimit(.minutes(5)), arguments: ["scenes-broken-head.yaml", "scenes-ablations.yaml", "scenes-noise.yaml"])
  func others(preset: String) throws {
    let out = try Fixtures.temporaryDirectory("preset-paper")
    let commands = try Self.commands(preset)
    #expect(!commands.isEmpty)
    for c in commands { try Self.run(c, output: out) }
  }
}
