import AuxData
import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

/// Pseudo labels: the conversions of a teacher's outputs (hand-computed), precomputed NPY files
/// and their error messages, the cache, and the dataset wrapper.
@Suite("Pseudo labels")
struct PseudoLabelTests {
  @Test("hard masks: the most likely class per pixel, the ignore index where its probability is below the threshold, ties to the first class")
  func hardMasks() {
    // One image, 3 classes, 2×2 pixels, logits [N, C, H, W].
    // pixel 0: logits (2, 0, 0)   → p(top) = e²/(e²+2) = 0.787
    // pixel 1: logits (0, 1, 0)   → p(top) = e/(e+2)   = 0.576
    // pixel 2: logits (0, 0, 0)   → tie, class 0, p = 1/3
    // pixel 3: logits (0, 0, 5)   → p(top) = e⁵/(e⁵+2) = 0.987
    let logits = Tensor(shape: [1, 3, 2, 2], scalars: [2, 0, 0, 0, /**/ 0, 1, 0, 0, /**/ 0, 0, 0, 5])
    #expect(PseudoLabels.hardMasks(logits: logits, threshold: 0).scalars == [0, 1, 0, 2])
    #expect(PseudoLabels.hardMasks(logits: logits, threshold: 0.5).scalars == [0, 1, 255, 2])
    #expect(PseudoLabels.hardMasks(logits: logits, threshold: 0.7).scalars == [0, 255, 255, 2])
    #expect(PseudoLabels.hardMasks(logits: logits, threshold: 0.79).scalars == [255, 255, 255, 2])
    #expect(PseudoLabels.ignoreIndex(classes: 300) == 300)
  }

  @Test("soft labels: the softmax of class logits; a dense teacher gives each image's mean per-pixel distribution")
  func softLabels() {
    let rows = PseudoLabels.softLabels(logits: Tensor(shape: [1, 2], scalars: [0, Float(log(3.0))]))
    #expect(abs(rows.scalars[0] - 0.25) < 1e-6 && abs(rows.scalars[1] - 0.75) < 1e-6)
    // Two pixels: (0, ln 3) → (1/4, 3/4); (0, 0) → (1/2, 1/2); mean (3/8, 5/8).
    let dense = PseudoLabels.softLabels(logits: Tensor(shape: [1, 2, 1, 2], scalars: [0, 0, Float(log(3.0)), 0]))
    #expect(abs(dense.scalars[0] - 0.375) < 1e-6 && abs(dense.scalars[1] - 0.625) < 1e-6)
  }

  @Test("precomputed hard labels: class maps thresholded by their score file, ignore index kept")
  func precomputedHard() throws {
    let dir = try Fixtures.temporaryDirectory("pseudo-npy")
    try NPY.write(Tensor(shape: [2, 1, 2], scalars: [0, 2, 255, 1]), to: dir.appendingPathComponent("train.npy"))
    try NPY.write(Tensor(shape: [2, 1, 2], scalars: [0.9, 0.3, 0.2, 0.6]), to: dir.appendingPathComponent("train_score.npy"))
    let set = try PrecomputedPseudoLabels.load(
      task: "coco", kind: .hard, directory: dir, split: .train, count: 2, height: 1, width: 2, classes: 3, threshold: 0.5)
    #expect(set.spec == TaskLabelSpec(name: "coco", kind: .denseClass(classes: 3, ignoreIndex: 255)))
    #expect(set.labels.scalars == [0, 255, 255, 1])
    let unthresholded = try PrecomputedPseudoLabels.load(
      task: "coco", kind: .hard, directory: dir, split: .train, count: 2, height: 1, width: 2, classes: 3, threshold: 0)
    #expect(unthresholded.labels.scalars == [0, 2, 255, 1])
  }

  /// The error thrown by `body`, which must be a FormatError.
  func formatError(_ body: () throws -> Void) -> FormatError? {
    do {
      try body()
    } catch let e as FormatError {
      return e
    } catch {
      Issue.record("expected a FormatError, got \(error)")
    }
    return nil
  }

  @Test("malformed precomputed labels name the file, the field, what was expected and what was found")
  func malformed() throws {
    let dir = try Fixtures.temporaryDirectory("pseudo-bad")
    let train = dir.appendingPathComponent("train.npy")
    func load(_ kind: PseudoLabelKind, classes: Int? = nil, threshold: Double = 0) throws {
      _ = try PrecomputedPseudoLabels.load(
        task: "aux", kind: kind, directory: dir, split: .train, count: 2, height: 2, width: 2, classes: classes, threshold: threshold)
    }
    // Missing file.
    var e = formatError { try load(.regression) }
    #expect(e?.file == train.path && e?.message.contains("no labels for the train split") == true)

    // Wrong shape.
    try NPY.write(Tensor(shape: [3, 2, 2], repeating: 0), to: train)
    e = formatError { try load(.hard, classes: 4) }
    #expect(e?.file == train.path)
    #expect(e?.message.contains("field shape: expected [2, 2, 2]") == true && e?.message.contains("found [3, 2, 2]") == true, "\(e?.message ?? "")")

    // A class out of range.
    try NPY.write(Tensor(shape: [2, 2, 2], scalars: [0, 1, 2, 3, 0, 7, 1, 1]), to: train)
    e = formatError { try load(.hard, classes: 4) }
    #expect(e?.message.contains("flat index 5") == true && e?.message.contains("0..<4") == true && e?.message.contains("found 7") == true, "\(e?.message ?? "")")

    // Threshold without a score file.
    try NPY.write(Tensor(shape: [2, 2, 2], repeating: 1), to: train)
    e = formatError { try load(.hard, classes: 4, threshold: 0.5) }
    #expect(e?.file == dir.appendingPathComponent("train_score.npy").path)

    // Soft labels that are logits, not distributions.
    try NPY.write(Tensor(shape: [2, 3], scalars: [0.2, 0.3, 0.5, 2, -1, 0.5]), to: train)
    e = formatError { try load(.soft) }
    #expect(e?.message.contains("row 1 column 1") == true && e?.message.contains("found -1") == true, "\(e?.message ?? "")")
    try NPY.write(Tensor(shape: [2, 3], scalars: [0.2, 0.3, 0.5, 0.5, 0.5, 0.5]), to: train)
    e = formatError { try load(.soft) }
    #expect(e?.message.contains("row 1 sum: expected 1") == true && e?.message.contains("found 1.5") == true, "\(e?.message ?? "")")

    // Non-finite regression values; a file that is not NPY.
    try NPY.write(Tensor(shape: [2, 1, 2, 2], scalars: [0, 0, 0, .nan, 0, 0, 0, 0]), to: train)
    e = formatError { try load(.regression) }
    #expect(e?.message.contains("flat index 3") == true && e?.message.contains("finite") == true)
    try Data("not an array".utf8).write(to: train)
    e = formatError { try load(.regression) }
    #expect(e?.file == train.path && e?.message.contains("magic") == true)
  }

  @Test("the cache returns stored labels for the same key and shape, nothing for another key, shape or a broken file")
  func cache() throws {
    let dir = try Fixtures.temporaryDirectory("pseudo-cache")
    let cache = PseudoLabelCache(directory: dir.appendingPathComponent("nested"))
    let key = PseudoLabelCache.key(["teacher abc", "kind hard"])
    #expect(key == PseudoLabelCache.key(["teacher abc", "kind hard"]) && key != PseudoLabelCache.key(["teacher abd", "kind hard"]))
    #expect(cache.load(task: "t", split: .train, key: key, shape: [2, 2]) == nil)
    let labels = Tensor(shape: [2, 2], scalars: [1, 2, 3, 255])
    try cache.store(labels, task: "t", split: .train, key: key)
    #expect(cache.load(task: "t", split: .train, key: key, shape: [2, 2])?.scalars == labels.scalars)
    #expect(cache.load(task: "t", split: .test, key: key, shape: [2, 2]) == nil)
    #expect(cache.load(task: "t", split: .train, key: key, shape: [4]) == nil)
    try Data([1, 2, 3]).write(to: cache.url(task: "t", split: .train, key: key))
    #expect(cache.load(task: "t", split: .train, key: key, shape: [2, 2]) == nil)
  }

  @Test("the dataset wrapper appends the pseudo tasks, gives sample i its label i, masks regression maps as valid, and refuses name clashes")
  func dataset() throws {
    let base = try ScenesDataset(config: ScenesConfig(height: 32, width: 32, seed: 1), split: .train, count: 3)
    let maps = Tensor(shape: [3, 1, 32, 32], scalars: (0..<(3 * 32 * 32)).map { Float($0) })
    let soft = Tensor(shape: [3, 2], scalars: [1, 0, 0.5, 0.5, 0, 1])
    let d = try PseudoLabelDataset(base, sets: [
      PseudoLabelSet(spec: TaskLabelSpec(name: "p_depth", kind: .denseRegression(channels: 1)), labels: maps),
      PseudoLabelSet(spec: TaskLabelSpec(name: "p_scene", kind: .softLabel(classes: 2)), labels: soft),
    ])
    #expect(d.tasks.map(\.name) == base.tasks.map(\.name) + ["p_depth", "p_scene"])
    let s = try d.sample(at: 2)
    #expect(s.labels["p_depth"]!.shape == [1, 32, 32] && s.labels["p_depth"]!.scalars.first == Float(2 * 32 * 32))
    #expect(s.masks["p_depth"]!.scalars.allSatisfy { $0 == 1 })
    #expect(s.labels["p_scene"]!.scalars == [0, 1])
    #expect(s.labels["semantic"]!.scalars == (try base.sample(at: 2)).labels["semantic"]!.scalars)
    #expect(throws: DatasetError.self) {
      try PseudoLabelDataset(base, sets: [PseudoLabelSet(spec: TaskLabelSpec(name: "depth", kind: .softLabel(classes: 2)), labels: soft)])
    }
    #expect(throws: DatasetError.self) {
      try PseudoLabelDataset(base, sets: [PseudoLabelSet(spec: TaskLabelSpec(name: "x", kind: .softLabel(classes: 2)), labels: Tensor(shape: [2, 2], repeating: 0))])
    }
  }
}
