import AuxEngine
import AuxIO
import Foundation

/// Pseudo labels a user brings as NPY files (for example a COCO-trained DeepLab's predictions on
/// NYUv2 or Cityscapes, computed once with PyTorch), one file per split in a folder:
///
/// | kind | `<split>.npy` | dtype | also |
/// | --- | --- | --- | --- |
/// | `hard` | `[N, H, W]` class indices in `0..<classes`, or the ignore index (255, or `classes` above 255 classes) | any integer or float type | `<split>_score.npy`, `[N, H, W]`, each pixel's class probability, when a threshold is set |
/// | `soft` | `[N, C]` class distributions (rows ≥ 0 summing to 1 within 1e-3) | float | |
/// | `regression` | `[N, ch, H, W]` (or `[N, H, W]` for one channel) finite values | float | |
///
/// `<split>` is `train`, `validation` or `test`; sample `i` of the file is sample `i` of the split
/// as auxmtl loads it (the same order and `dataset.*_samples` limits; for NYUv2 and Cityscapes
/// `test` is the release's `val/` folder). `H × W` is the input size the dataset gives.
///
/// Every problem is a ``AuxIO/FormatError`` naming the file, the field (shape, a value's index, a
/// row's sum), what was expected and what was found.
public enum PrecomputedPseudoLabels {
  /// The file of a split's labels: `train.npy`, `validation.npy` or `test.npy`.
  public static func labelsURL(_ directory: URL, split: DataSplit) -> URL {
    directory.appendingPathComponent("\(split.rawValue).npy")
  }

  /// The file of a split's scores for thresholded hard labels: `<split>_score.npy`.
  public static func scoresURL(_ directory: URL, split: DataSplit) -> URL {
    directory.appendingPathComponent("\(split.rawValue)_score.npy")
  }

  /// Reads and checks one split's labels.
  ///
  /// - Parameters:
  ///   - task: the pseudo task's name (in errors).
  ///   - count: the split's number of samples.
  ///   - height, width: the split's image size.
  ///   - classes: the number of classes of hard labels.
  ///   - threshold: hard labels: pixels whose score is below it are ignored (needs the score file
  ///     when positive).
  /// - Throws: ``AuxIO/FormatError`` for a missing or malformed file.
  public static func load(
    task: String, kind: PseudoLabelKind, directory: URL, split: DataSplit, count: Int, height: Int, width: Int,
    classes: Int?, threshold: Double
  ) throws -> PseudoLabelSet {
    let url = labelsURL(directory, split: split)
    let array = try read(url, task: task, split: split)
    let t = array.tensor
    let file = url.path
    func shapeError(_ expected: String) -> FormatError {
      FormatError(file: file, "pseudo task '\(task)' (\(kind.rawValue)), field shape: expected \(expected), found \(array.shape)")
    }
    switch kind {
    case .hard:
      guard let classes else { throw FormatError(file: file, "pseudo task '\(task)': hard labels need the number of classes") }
      guard array.shape == [count, height, width] else { throw shapeError("[\(count), \(height), \(width)] (samples, height, width) class indices") }
      let ignore = PseudoLabels.ignoreIndex(classes: classes)
      try t.withUnsafeBufferPointer { b in
        for i in 0..<b.count {
          let v = b[i]
          if !(v == v.rounded() && ((v >= 0 && Int(v) < classes) || Int(v) == ignore)) {
            throw FormatError(file: file, "pseudo task '\(task)', value at flat index \(i) (sample \(i / (height * width))): expected a class index in 0..<\(classes) or the ignore index \(ignore), found \(v)")
          }
        }
      }
      var scores: Tensor? = nil
      if threshold > 0 {
        let sURL = scoresURL(directory, split: split)
        let s = try read(sURL, task: task, split: split)
        guard s.shape == array.shape else {
          throw FormatError(file: sURL.path, "pseudo task '\(task)' (hard, threshold \(threshold)), field shape: expected \(array.shape) like \(url.lastPathComponent), found \(s.shape)")
        }
        try s.tensor.withUnsafeBufferPointer { b in
          for i in 0..<b.count where !(b[i].isFinite && b[i] >= 0 && b[i] <= 1) {
            throw FormatError(file: sURL.path, "pseudo task '\(task)', score at flat index \(i): expected a probability in [0, 1], found \(b[i])")
          }
        }
        scores = s.tensor
      }
      let masks = PseudoLabels.hardMasks(classMaps: t, scores: scores, threshold: threshold, ignoreIndex: ignore)
      return PseudoLabelSet(spec: TaskLabelSpec(name: task, kind: .denseClass(classes: classes, ignoreIndex: ignore)), labels: masks)
    case .soft:
      guard array.shape.count == 2, array.shape[0] == count, array.shape[1] >= 2 else {
        throw shapeError("[\(count), C] (samples, classes ≥ 2) class distributions")
      }
      let c = array.shape[1]
      try t.withUnsafeBufferPointer { b in
        for i in 0..<count {
          var sum = 0.0
          for k in 0..<c {
            let v = b[i * c + k]
            guard v.isFinite, v >= 0 else {
              throw FormatError(file: file, "pseudo task '\(task)', row \(i) column \(k): expected a probability ≥ 0, found \(v)")
            }
            sum += Double(v)
          }
          guard abs(sum - 1) <= 1e-3 else {
            throw FormatError(file: file, "pseudo task '\(task)', row \(i) sum: expected 1 (within 1e-3; a distribution, not logits), found \(sum)")
          }
        }
      }
      return PseudoLabelSet(spec: TaskLabelSpec(name: task, kind: .softLabel(classes: c)), labels: t)
    case .regression:
      let maps: Tensor
      if array.shape == [count, height, width] {
        maps = t.reshaped([count, 1, height, width])
      } else if array.shape.count == 4, array.shape[0] == count, array.shape[1] >= 1, array.shape[2] == height, array.shape[3] == width {
        maps = t
      } else {
        throw shapeError("[\(count), channels, \(height), \(width)] or [\(count), \(height), \(width)] maps")
      }
      if let i = t.firstNonFiniteIndex() {
        throw FormatError(file: file, "pseudo task '\(task)', value at flat index \(i): expected a finite number, found \(t.withUnsafeBufferPointer { $0[i] })")
      }
      return PseudoLabelSet(spec: TaskLabelSpec(name: task, kind: .denseRegression(channels: maps.shape[1])), labels: maps)
    }
  }

  private static func read(_ url: URL, task: String, split: DataSplit) throws -> NPYArray {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw FormatError(file: url.path, "pseudo task '\(task)': no labels for the \(split.rawValue) split (expected this file; see docs/configuration.md, tasks.pseudo)")
    }
    return try NPY.read(url)
  }
}
