import AuxEngine

/// One step of multi-input training: one batch per task, each from that task's own dataset.
public struct MultiInputStep: Sendable {
  /// Task names, in loader order.
  public var tasks: [String]
  /// The batch of each task, in the order of ``tasks``.
  public var batches: [Batch]

  /// The batch of task `name`.
  public func batch(for name: String) -> Batch? {
    tasks.firstIndex(of: name).map { batches[$0] }
  }
}

/// Loads multi-input ("many-to-many") multi-task data: every task has its own dataset, and every
/// step draws one batch from each (Auto-Lambda's multi-domain CIFAR-100).
///
/// An epoch has as many steps as task 0's loader has batches, as in Auto-Lambda's
/// `trainer_cifar.py`. A task whose loader runs out earlier starts another pass with a fresh
/// shuffle (its `cycle` increases), so every step has a batch for every task.
public final class MultiInputLoader: Sendable {
  /// One loader per task.
  public let loaders: [DataLoader]
  /// Task names, one per loader.
  public let tasks: [String]

  /// - Parameters:
  ///   - datasets: one dataset per task, in task order; each must have exactly one task.
  ///   - options: loader options shared by all tasks; each task's stream gets its own seed derived
  ///     from `options.seed` and the task's position.
  public init(_ datasets: [any MultiTaskDataset], _ options: DataLoaderOptions) {
    precondition(!datasets.isEmpty, "MultiInputLoader: no datasets")
    for d in datasets {
      precondition(d.tasks.count == 1, "MultiInputLoader: dataset '\(d.name)' has \(d.tasks.count) tasks; each must have exactly one")
      precondition(d.count > 0, "MultiInputLoader: dataset '\(d.name)' is empty")
    }
    loaders = datasets.enumerated().map { k, d in
      var o = options
      o.seed = SeedMixing.combine(options.seed, SeedMixing.code("multi-input"), UInt64(k))
      return DataLoader(d, o)
    }
    tasks = datasets.map { $0.tasks[0].name }
    precondition(Set(tasks).count == tasks.count, "MultiInputLoader: task names \(tasks) must be distinct")
  }

  /// Steps per epoch: task 0's batches per epoch.
  public var stepsPerEpoch: Int { loaders[0].batchesPerEpoch }

  /// The steps of epoch `epoch`.
  public func steps(epoch: Int) -> MultiInputIterator {
    MultiInputIterator(self, epoch: epoch)
  }
}

/// The steps of one epoch of a ``MultiInputLoader``.
public final class MultiInputIterator {
  private let loader: MultiInputLoader
  private let epoch: Int
  private var iterators: [BatchIterator]
  private var cycles: [Int]
  private var remaining: Int

  init(_ loader: MultiInputLoader, epoch: Int) {
    self.loader = loader
    self.epoch = epoch
    iterators = loader.loaders.map { $0.batches(epoch: epoch) }
    cycles = Array(repeating: 0, count: loader.loaders.count)
    remaining = loader.stepsPerEpoch
  }

  /// The next step, or nil when task 0's epoch is over.
  public func next() throws -> MultiInputStep? {
    guard remaining > 0 else { return nil }
    var batches: [Batch] = []
    for k in 0..<iterators.count {
      if let b = try iterators[k].next() {
        batches.append(b)
        continue
      }
      guard k > 0 else { return nil }
      cycles[k] += 1
      iterators[k] = loader.loaders[k].batches(epoch: epoch, cycle: cycles[k])
      guard let b = try iterators[k].next() else {
        throw DatasetError("task '\(loader.tasks[k])' yields no batch (dataset of \(loader.loaders[k].dataset.count) samples, batch size \(loader.loaders[k].options.batchSize), dropLast \(loader.loaders[k].options.dropLast))")
      }
      batches.append(b)
    }
    remaining -= 1
    return MultiInputStep(tasks: loader.tasks, batches: batches)
  }

  /// How many times each task's loader has restarted within this epoch.
  public var passes: [Int] { cycles }
}
