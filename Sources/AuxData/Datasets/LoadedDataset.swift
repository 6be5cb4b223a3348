/// A dataset loaded by name: either one dataset whose samples carry every task's label, or one
/// dataset per task for multi-input training.
public enum LoadedDataset: Sendable {
  /// One input per sample, a label for every task (use a ``DataLoader``).
  case single(any MultiTaskDataset)
  /// One dataset per task, one batch of each per step (use a ``MultiInputLoader``).
  case multiInput([any MultiTaskDataset])

  /// The datasets (one for `.single`).
  public var datasets: [any MultiTaskDataset] {
    switch self {
    case .single(let d): [d]
    case .multiInput(let ds): ds
    }
  }

  /// All tasks, in order.
  public var tasks: [TaskLabelSpec] { datasets.flatMap(\.tasks) }
}
