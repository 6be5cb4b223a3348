import AuxData
import AuxEngine
import AuxIO
import Foundation

/// Where each pseudo task's labels came from, for the run record.
public struct PseudoLabelProvenance: Sendable, Equatable {
  /// The task.
  public var task: String
  /// `teacher <weights file> fnv1a <hash>` or `labels <folder> fnv1a <hash of the train file>`.
  public var source: String
  /// Per split: `generated`, `cached` (a teacher's labels read back from the cache) or `read`
  /// (precomputed files).
  public var splits: [String: String]
}

extension TrainingData {
  /// The same data with the pseudo tasks of `tasks.pseudo` added to every split (appended after
  /// the dataset's tasks).
  ///
  /// A teacher's labels are generated once per split and cached as NPY under `cacheDirectory`,
  /// keyed to the teacher's weights hash, its task, the kind, the threshold and the data
  /// (``AuxData/PseudoLabelCache``); precomputed labels are read and checked
  /// (``AuxData/PrecomputedPseudoLabels``). Apply it before label noise, so that noise can be put
  /// on a pseudo task too.
  ///
  /// - Parameters:
  ///   - pseudo: the `tasks.pseudo` entries.
  ///   - dataset: the run's dataset settings (part of the cache key).
  ///   - seed: the run's seed (part of the cache key: generated data depends on it).
  ///   - networks: how to rebuild a teacher's network.
  ///   - datasets: where a teacher's dataset is looked up when it is not the student's.
  ///   - batchSize: the batch size of the teacher's inference.
  /// - Returns: the data and where each task's labels came from.
  /// - Throws: ``TrainingError`` for a multi-input dataset, a bad teacher or a kind that does not
  ///   fit the teacher's task; ``AuxIO/FormatError`` for malformed label files.
  public func withPseudoLabels(
    _ pseudo: [String: TrainConfig.PseudoTaskConfig], dataset: TrainConfig.DatasetConfig, seed: UInt64,
    cacheDirectory: URL, networks: NetworkFactory, datasets: DatasetRegistry = .standard, batchSize: Int
  ) throws -> (data: TrainingData, provenance: [PseudoLabelProvenance]) {
    guard !pseudo.isEmpty else { return (self, []) }
    guard case .single(let trainBase) = train else {
      throw TrainingError("tasks.pseudo: pseudo tasks need a dataset whose samples carry every task (found one dataset per task, '\(dataset.name)')")
    }
    let shape = trainBase.imageShape
    let splits: [(DataSplit, any MultiTaskDataset)] = [(.train, trainBase)]
      + (validation?.datasets.first.map { [(.validation, $0)] } ?? []) + [(.test, test.datasets[0])]
    let cache = PseudoLabelCache(directory: cacheDirectory)
    var teachers: [String: PseudoLabelTeacher] = [:]
    var sets: [DataSplit: [PseudoLabelSet]] = [:]
    var provenance: [PseudoLabelProvenance] = []

    for (name, entry) in pseudo.sorted(by: { $0.key < $1.key }) {
      guard let kind = PseudoLabelKind(rawValue: entry.kind) else {
        throw TrainingError("tasks.pseudo.\(name).kind: must be one of \(PseudoLabelKind.allCases.map(\.rawValue).joined(separator: ", ")); found '\(entry.kind)'")
      }
      var record = PseudoLabelProvenance(task: name, source: "", splits: [:])
      if let path = entry.teacher {
        guard let taskName = entry.task else { throw TrainingError("tasks.pseudo.\(name): a teacher needs task, the teacher's task whose head makes the labels") }
        let teacher = try teachers[path] ?? PseudoLabelTeacher(
          path: path, studentDataset: dataset.name, studentTasks: train.tasks, inputShape: shape, networks: networks, datasets: datasets)
        teachers[path] = teacher
        let t = try teacher.taskIndex(taskName, entry: name)
        let spec = try teacher.labelSpec(name: name, kind: kind, task: t)
        record.source = "teacher \(teacher.weightsURL.path) fnv1a \(teacher.weightsHash)"
        for (split, base) in splits {
          let key = PseudoLabelCache.key([
            "auxmtl pseudo labels v1", "teacher weights \(teacher.weightsHash)", "teacher model \(teacher.config.model.encoder)+\(teacher.config.model.head)",
            "teacher task \(taskName)", "kind \(kind.rawValue)", "threshold \(entry.threshold.bitPattern)",
            "data \(dataset.name) path \(dataset.path ?? "") size \(dataset.size) seed \(seed) shape \(shape)",
            "split \(split.rawValue) count \(base.count)",
          ])
          let expected = Self.labelShape(spec.kind, count: base.count, height: shape[1], width: shape[2])
          if let cached = cache.load(task: name, split: split, key: key, shape: expected) {
            sets[split, default: []].append(PseudoLabelSet(spec: spec, labels: cached))
            record.splits[split.rawValue] = "cached"
          } else {
            let labels = try teacher.labels(task: t, kind: kind, threshold: entry.threshold, dataset: base, batchSize: batchSize)
            guard labels.shape == expected else {
              throw TrainingError("tasks.pseudo.\(name): the teacher's labels have shape \(labels.shape), expected \(expected) (is the teacher trained on images like these?)")
            }
            try cache.store(labels, task: name, split: split, key: key)
            sets[split, default: []].append(PseudoLabelSet(spec: spec, labels: labels))
            record.splits[split.rawValue] = "generated"
          }
        }
      } else if let folder = entry.labels {
        let directory = URL(fileURLWithPath: folder)
        for (split, base) in splits {
          let set = try PrecomputedPseudoLabels.load(
            task: name, kind: kind, directory: directory, split: split, count: base.count, height: shape[1], width: shape[2],
            classes: entry.classes, threshold: entry.threshold)
          sets[split, default: []].append(set)
          record.splits[split.rawValue] = "read"
        }
        let hash = try ContentHash.hex(file: PrecomputedPseudoLabels.labelsURL(directory, split: .train))
        record.source = "labels \(directory.path) fnv1a \(hash)"
      }
      provenance.append(record)
    }

    func wrap(_ split: DataSplit, _ d: any MultiTaskDataset) throws -> LoadedDataset {
      .single(try PseudoLabelDataset(d, sets: sets[split] ?? []))
    }
    let data = TrainingData(
      train: try wrap(.train, trainBase),
      validation: try validation.map { try wrap(.validation, $0.datasets[0]) },
      test: try wrap(.test, test.datasets[0]), augmentation: augmentation)
    return (data, provenance)
  }

  /// The shape of a split's labels of a kind: `[N, H, W]` class maps, `[N, C]` distributions,
  /// `[N, ch, H, W]` maps.
  static func labelShape(_ kind: LabelKind, count n: Int, height h: Int, width w: Int) -> [Int] {
    switch kind {
    case .denseClass: [n, h, w]
    case .softLabel(let c): [n, c]
    case .classIndex: [n, 1]
    case .denseRegression(let ch): [n, ch, h, w]
    case .unitVector: [n, 3, h, w]
    }
  }
}
