import AuxData
import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// `tasks.pseudo`: auxiliary tasks labelled by a teacher run, generated once, cached under the
/// teacher's hash, reused, regenerated when the teacher changes; and the config key's checks.
@Suite("Pseudo tasks")
struct PseudoTaskTests {
  /// Trains a tiny teacher (semantic + depth, EW, a few steps) under `dir`; returns its trainer.
  static func teacher(_ dir: URL) throws -> Trainer {
    var c = TrainerTests.config(dir, method: "ew", epochs: 1)
    c.experiment = "teacher"
    c.seed = 100
    c.tasks.auxiliary = ["depth"]
    c.training.maxStepsPerEpoch = 3
    let t = try RunBuilder.makeTrainer(c, networks: tinyNetworks)
    try t.run(resume: false)
    return t
  }

  static func student(_ dir: URL, teacher: String, threshold: Double = 0.5) -> TrainConfig {
    var c = TrainerTests.config(dir, method: "ew", epochs: 1)
    c.experiment = "student"
    c.training.maxStepsPerEpoch = 2
    c.tasks.auxiliary = ["depth", "p_sem", "p_scene", "p_depth"]
    var hard = TrainConfig.PseudoTaskConfig()
    hard.teacher = teacher
    hard.task = "semantic"
    hard.threshold = threshold
    var soft = TrainConfig.PseudoTaskConfig()
    soft.teacher = teacher
    soft.task = "semantic"
    soft.kind = "soft"
    var depth = TrainConfig.PseudoTaskConfig()
    depth.teacher = teacher + "/best.safetensors"
    depth.task = "depth"
    depth.kind = "regression"
    c.tasks.pseudoTasks = ["p_sem": hard, "p_scene": soft, "p_depth": depth]
    return c
  }

  static func cacheFiles(_ dir: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("pseudo-labels").path)) ?? []).sorted()
  }

  @Test("a teacher's labels are its own predictions (threshold applied), generated once, then read from the cache; a changed teacher regenerates them")
  func generationAndCache() throws {
    let dir = try Fixtures.temporaryDirectory("pseudo-teacher")
    let teacher = try Self.teacher(dir)
    let config = Self.student(dir, teacher: teacher.folder.url.path)

    let first = try RunBuilder.makeTrainer(config, networks: tinyNetworks)
    for task in ["p_sem", "p_scene", "p_depth"] {
      #expect(first.record.environment["pseudo_labels.\(task)"]?.hasSuffix("test generated, train generated, validation generated") == true, "\(first.record.environment)")
    }
    #expect(Self.cacheFiles(dir).count == 9)

    // The labels are the teacher's predictions on the same images.
    let train = first.data.train.datasets[0]
    let sample = try train.sample(at: 5)
    let net = teacher.network
    net.module.eval()
    let (semantic, depth) = Autograd.withoutGradients { () -> (Tensor, Tensor) in
      let image = sample.image.reshaped([1] + sample.image.shape)
      let z = net.encode(image, task: nil)
      return (net.decode(z, task: 0, inputSize: Size2D(32, 32)), net.decode(z, task: 1, inputSize: Size2D(32, 32)))
    }
    let expectedHard = PseudoLabels.hardMasks(logits: semantic, threshold: 0.5)
    #expect(sample.labels["p_sem"]!.scalars == expectedHard.scalars)
    #expect(expectedHard.scalars.contains(255) || expectedHard.scalars.allSatisfy { $0 < 7 })
    let expectedSoft = PseudoLabels.softLabels(logits: semantic)
    #expect(Closeness.mismatch(sample.labels["p_scene"]!, expectedSoft.reshaped([7]), rtol: 1e-5, atol: 1e-6) == nil)
    #expect(Closeness.mismatch(sample.labels["p_depth"]!, depth.reshaped([1, 32, 32]), rtol: 1e-5, atol: 1e-6) == nil)
    #expect(sample.masks["p_depth"]!.scalars.allSatisfy { $0 == 1 })

    // Same teacher, same data: every split comes from the cache, with the same labels.
    let second = try RunBuilder.makeTrainer(config, networks: tinyNetworks)
    for task in ["p_sem", "p_scene", "p_depth"] {
      #expect(second.record.environment["pseudo_labels.\(task)"]?.hasSuffix("test cached, train cached, validation cached") == true)
    }
    #expect(try second.data.train.datasets[0].sample(at: 5).labels["p_sem"]!.scalars == sample.labels["p_sem"]!.scalars)
    #expect(Self.cacheFiles(dir).count == 9)

    // Another threshold is another key.
    let stricter = try RunBuilder.makeTrainer(Self.student(dir, teacher: teacher.folder.url.path, threshold: 0.9), networks: tinyNetworks)
    #expect(stricter.record.environment["pseudo_labels.p_sem"]?.hasSuffix("train generated, validation generated") == true)
    #expect(stricter.record.environment["pseudo_labels.p_scene"]?.hasSuffix("train cached, validation cached") == true)
    let strictLabels = try stricter.data.train.datasets[0].sample(at: 5).labels["p_sem"]!.scalars
    #expect(strictLabels.filter { $0 == 255 }.count >= sample.labels["p_sem"]!.scalars.filter { $0 == 255 }.count)

    // Changing the teacher's weights changes its hash: the labels are generated again.
    let best = teacher.folder.url.appendingPathComponent("best.safetensors")
    var archive = try Safetensors.read(best)
    let key = archive.tensors.keys.sorted().first { $0.hasPrefix("head0") && $0.hasSuffix("weight") }!
    archive.tensors[key] = Autograd.withoutGradients { archive.tensors[key]! * -1 }
    try Safetensors.write(archive, to: best)
    let changed = try RunBuilder.makeTrainer(config, networks: tinyNetworks)
    for task in ["p_sem", "p_scene", "p_depth"] {
      #expect(changed.record.environment["pseudo_labels.\(task)"]?.hasSuffix("test generated, train generated, validation generated") == true)
    }
    #expect(Self.cacheFiles(dir).count == 9 + 3 + 9)

    // The student trains with the pseudo tasks as auxiliaries and reports them.
    let record = try changed.run(resume: false)
    #expect(record.status == .finished)
    let keys = Set(record.finalMetrics.map(\.key))
    for k in ["semantic/mIoU", "p_sem/mIoU", "p_scene/accuracy", "p_depth/absErr"] { #expect(keys.contains(k), "\(keys)") }
  }

  @Test("a kind that does not fit the teacher's task, an unknown teacher task and a missing teacher are refused with what was expected")
  func teacherErrors() throws {
    let dir = try Fixtures.temporaryDirectory("pseudo-errors")
    let teacher = try Self.teacher(dir)
    var c = Self.student(dir, teacher: teacher.folder.url.path)
    c.tasks.pseudoTasks["p_sem"]!.task = "depth"
    #expect { try RunBuilder.makeTrainer(c, networks: tinyNetworks) } throws: { e in
      "\(e)".contains("tasks.pseudo.p_sem.kind: hard labels come from a dense class map") && "\(e)".contains("'depth'")
    }
    c = Self.student(dir, teacher: teacher.folder.url.path)
    c.tasks.pseudoTasks["p_sem"]!.task = "normal"
    #expect { try RunBuilder.makeTrainer(c, networks: tinyNetworks) } throws: { e in
      "\(e)".contains("the teacher trained no task 'normal' (its tasks: semantic, depth)")
    }
    c = Self.student(dir, teacher: dir.appendingPathComponent("nowhere").path)
    #expect { try RunBuilder.makeTrainer(c, networks: tinyNetworks) } throws: { e in "\(e)".contains("does not exist") }
  }

  @Test("tasks.pseudo reads from YAML, writes back identically, and is checked: one source, a teacher task, no primary, known keys")
  func config() throws {
    let yaml = """
      tasks:
        primary: semantic
        pseudo:
          coco: {labels: data/coco-preds, kind: hard, threshold: 0.7, classes: 80}
          teacher_depth: {teacher: runs/teacher/ew-semantic-s100, task: depth, kind: regression}
      """
    let c = try TrainConfig.parse(yaml: yaml)
    #expect(c.tasks.pseudoTasks["coco"]?.classes == 80 && c.tasks.pseudoTasks["coco"]?.threshold == 0.7)
    #expect(c.tasks.pseudoTasks["teacher_depth"]?.teacher == "runs/teacher/ew-semantic-s100")
    #expect(try TrainConfig.parse(yaml: c.yaml()) == c)
    let set = try TrainConfig.parse(yaml: yaml, overrides: ["tasks.pseudo.coco="])
    #expect(set.tasks.pseudoTasks.keys.sorted() == ["teacher_depth"])

    func fails(_ text: String, _ fragment: String) {
      #expect { try TrainConfig.parse(yaml: text) } throws: { e in
        let ok = "\(e)".contains(fragment)
        if !ok { Issue.record("\(e)") }
        return ok
      }
    }
    fails("tasks: {pseudo: {p: {teacher: a, labels: b, task: x}}}", "either teacher or labels, not both")
    fails("tasks: {pseudo: {p: {teacher: a}}}", "teacher needs task")
    fails("tasks: {pseudo: {p: {labels: a}}}", "need classes")
    fails("tasks: {pseudo: {p: {labels: a, kind: soft, threshold: 0.5}}}", "threshold is for kind hard")
    fails("tasks: {pseudo: {p: {labels: a, kind: hard, classes: 3, thresold: 0.5}}}", "did you mean threshold?")
    fails("tasks: {pseudo: {p: {labels: a, kind: fuzzy}}}", "must be one of hard, soft, regression")
    fails("tasks: {primary: p, pseudo: {p: {labels: a, kind: soft}}}", "'p' is primary")
  }
}
