import AuxData
import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import Foundation

/// A finished `auxmtl train` run used as the teacher of pseudo tasks: its network rebuilt from the
/// run's recorded configuration, with its weights loaded, run in evaluation mode.
///
/// The teacher is named by its run folder (its selected weights, `best.safetensors`, are used) or
/// by a `.safetensors` state dict inside a run folder (`checkpoint.safetensors`, a copy of
/// `best.safetensors`). ``weightsHash`` (FNV-1a of the weights file) keys the label cache.
final class PseudoLabelTeacher {
  /// The weights file.
  let weightsURL: URL
  /// The 16-hex-digit hash of the weights file's bytes.
  let weightsHash: String
  /// The teacher run's configuration.
  let config: TrainConfig
  let objectives: [TaskObjective]
  let network: any MultiTaskNetwork

  /// - Parameters:
  ///   - path: the run folder or a `.safetensors` file in it.
  ///   - studentTasks: the student dataset's tasks (the teacher's task kinds when it was trained
  ///     on the same dataset).
  ///   - inputShape: the student's image shape `[C, H, W]`.
  /// - Throws: ``TrainingError`` when the path is not a run folder, ``AuxIO/FormatError`` for
  ///   unreadable files, ``AuxNN/StateDictError`` when the weights do not fit the network.
  init(path: String, studentDataset: String, studentTasks: [TaskLabelSpec], inputShape: [Int], networks: NetworkFactory, datasets: DatasetRegistry) throws {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw TrainingError("tasks.pseudo: teacher '\(path)' does not exist (expected a run folder of auxmtl train, or a .safetensors file inside one)")
    }
    let folderURL = isDirectory.boolValue ? url : url.deletingLastPathComponent()
    weightsURL = isDirectory.boolValue ? url.appendingPathComponent("best.safetensors") : url
    guard FileManager.default.fileExists(atPath: weightsURL.path) else {
      throw TrainingError("tasks.pseudo: teacher run '\(folderURL.path)' has no \(weightsURL.lastPathComponent) (has it finished?)")
    }
    let folder = RunFolder(folderURL)
    guard folder.exists else {
      throw TrainingError("tasks.pseudo: '\(folderURL.path)' is not a run folder of auxmtl train (no run.json); for labels computed elsewhere use labels: <folder of NPY files>")
    }
    let record = try folder.readRecord()
    guard let teacherConfig = record.configuration else {
      throw FormatError(file: folder.recordURL.path, "field configuration: expected the run's resolved configuration, found none")
    }
    config = teacherConfig
    let specs: [TaskLabelSpec]
    if teacherConfig.dataset.name == studentDataset {
      specs = studentTasks
    } else {
      specs = try TrainingData.load(teacherConfig.dataset, seed: teacherConfig.seed, datasets: datasets).tasks
    }
    objectives = try RunBuilder.objectives(teacherConfig, available: specs)
    var rng = RandomGenerator(seed: teacherConfig.seed)
    network = try networks(teacherConfig.model, objectives, inputShape, false, &rng)
    let archive = try Safetensors.read(weightsURL)
    // A training checkpoint holds the model under a prefix; a state dict (best.safetensors) is the
    // model itself.
    let tensors = archive.metadata["auxmtl.checkpoint"] != nil
      ? try TrainingCheckpoint(archive: archive, file: weightsURL.path).model : archive.tensors
    try network.module.loadStateDict(tensors, strict: true, source: weightsURL.path)
    weightsHash = try ContentHash.hex(file: weightsURL)
  }

  /// The index of the teacher's task `name`.
  func taskIndex(_ name: String, entry: String) throws -> Int {
    guard let t = objectives.firstIndex(where: { $0.name == name }) else {
      throw TrainingError("tasks.pseudo.\(entry).task: the teacher trained no task '\(name)' (its tasks: \(objectives.map(\.name).joined(separator: ", ")))")
    }
    return t
  }

  /// The label spec a pseudo task of `kind` from the teacher's task `t` has.
  func labelSpec(name: String, kind: PseudoLabelKind, task t: Int) throws -> TaskLabelSpec {
    let source = objectives[t].spec
    switch (kind, source.kind) {
    case (.hard, .denseClass(let c, _)):
      return TaskLabelSpec(name: name, kind: .denseClass(classes: c, ignoreIndex: PseudoLabels.ignoreIndex(classes: c)))
    case (.soft, .denseClass(let c, _)), (.soft, .classIndex(let c)), (.soft, .softLabel(let c)):
      return TaskLabelSpec(name: name, kind: .softLabel(classes: c))
    case (.regression, .denseRegression(let ch)):
      return TaskLabelSpec(name: name, kind: .denseRegression(channels: ch))
    case (.regression, .unitVector):
      return TaskLabelSpec(name: name, kind: .unitVector)
    default:
      let fits: String
      switch kind {
      case .hard: fits = "a dense class map"
      case .soft: fits = "class logits or a dense class map"
      case .regression: fits = "a dense regression or unit-vector map"
      }
      throw TrainingError("tasks.pseudo.\(name).kind: \(kind.rawValue) labels come from \(fits); the teacher's task '\(source.name)' is a \(source.kind)")
    }
  }

  /// The labels of task `t` over `dataset`, converted for `kind`, in sample order.
  func labels(task t: Int, kind: PseudoLabelKind, threshold: Double, dataset: any MultiTaskDataset, batchSize: Int) throws -> Tensor {
    network.module.eval()
    let objective = objectives[t]
    let loader = DataLoader(dataset, DataLoaderOptions(batchSize: max(batchSize, 1), shuffle: false, prefetch: 1))
    var parts: [Tensor] = []
    try Autograd.withoutGradients {
      let it = loader.batches(epoch: 0)
      while let batch = try it.next() {
        let size = Size2D(batch.images.shape[2], batch.images.shape[3])
        let output = objective.prediction(network.decode(network.encode(batch.images, task: nil), task: t, inputSize: size))
        switch kind {
        case .hard: parts.append(PseudoLabels.hardMasks(logits: output, threshold: threshold))
        case .soft: parts.append(PseudoLabels.softLabels(logits: output))
        case .regression: parts.append(output.detached())
        }
      }
    }
    guard !parts.isEmpty else { throw TrainingError("tasks.pseudo: the dataset '\(dataset.name)' is empty") }
    return Autograd.withoutGradients { Tensor.concat(parts, axis: 0) }
  }
}
