import AuxEngine
import Foundation

/// Options of a ``DataLoader``.
public struct DataLoaderOptions: Sendable, Equatable {
  /// Samples per batch.
  public var batchSize: Int
  /// Visit samples in a seeded random order that changes every epoch (else in index order).
  public var shuffle: Bool
  /// Drop the last batch when it is smaller than `batchSize` (PyTorch `drop_last`).
  public var dropLast: Bool
  /// Seed of the shuffling and augmentation streams.
  public var seed: UInt64
  /// Batches prepared ahead on a background thread; 0 builds batches on the caller's thread.
  public var prefetch: Int
  /// Augmentation applied to every sample (nil: none, e.g. for evaluation).
  public var augmentation: Augmentation?
  /// Dataset indices to spread evenly over each shuffled epoch (e.g. the samples that carry a
  /// scarce primary label, ``ScarceLabelDataset/labelledIndices``), so that every full batch holds
  /// about `batchSize · spread.count / count` of them instead of a random number that is often 0.
  /// Empty: a plain shuffle.
  public var spread: [Int] = []

  public init(
    batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, seed: UInt64 = 0, prefetch: Int = 2,
    augmentation: Augmentation? = nil
  ) {
    self.batchSize = batchSize
    self.shuffle = shuffle
    self.dropLast = dropLast
    self.seed = seed
    self.prefetch = prefetch
    self.augmentation = augmentation
  }
}

/// Turns a ``MultiTaskDataset`` into batches: seeded per-epoch shuffling, batching, augmentation
/// and background prefetching (PyTorch's `DataLoader` with `num_workers` ≤ 1).
///
/// ```swift
/// let loader = DataLoader(dataset, DataLoaderOptions(batchSize: 64, seed: 1))
/// for epoch in 0..<10 {
///   let batches = loader.batches(epoch: epoch)
///   while let batch = try batches.next() { /* train */ }
/// }
/// ```
///
/// The same seed and epoch give the same order and the same augmentation; a different epoch gives
/// a different order. Each sample's augmentation uses its own generator seeded from
/// (seed, epoch, dataset index), so results do not depend on prefetching.
public final class DataLoader: Sendable {
  /// The dataset batched.
  public let dataset: any MultiTaskDataset
  /// Batch size, shuffling, seed, prefetch and augmentation.
  public let options: DataLoaderOptions

  public init(_ dataset: any MultiTaskDataset, _ options: DataLoaderOptions) {
    precondition(options.batchSize >= 1, "DataLoader: batchSize must be at least 1, got \(options.batchSize)")
    precondition(options.prefetch >= 0, "DataLoader: prefetch must not be negative, got \(options.prefetch)")
    self.dataset = dataset
    self.options = options
  }

  /// Number of batches one epoch yields.
  public var batchesPerEpoch: Int {
    let n = dataset.count, b = options.batchSize
    return options.dropLast ? n / b : (n + b - 1) / b
  }

  /// The order in which epoch `epoch` visits the dataset's indices (all of them, before dropping
  /// a last partial batch). `cycle` distinguishes repeated passes within one epoch (used by
  /// ``MultiInputLoader`` for tasks whose loaders run out first).
  public func order(epoch: Int, cycle: Int = 0) -> [Int] {
    var indices = Array(0..<dataset.count)
    if options.shuffle {
      var rng = SeedMixing.generator(options.seed, SeedMixing.code("shuffle"), UInt64(bitPattern: Int64(epoch)), UInt64(cycle))
      if options.spread.isEmpty {
        rng.shuffle(&indices)
      } else {
        indices = Self.spreadOrder(count: dataset.count, spread: options.spread, using: &rng)
      }
    }
    return indices
  }

  /// A shuffled order of `0..<count` in which the `spread` indices (shuffled among themselves)
  /// sit at evenly spaced positions `⌊(m + ½)·count / k⌋` and the others (shuffled) fill the rest:
  /// any `⌈count / k⌉` consecutive positions hold at least one of them.
  static func spreadOrder(count: Int, spread: [Int], using rng: inout RandomGenerator) -> [Int] {
    let marked = Set(spread.filter { $0 >= 0 && $0 < count })
    var special = marked.sorted()
    var rest = (0..<count).filter { !marked.contains($0) }
    rng.shuffle(&special)
    rng.shuffle(&rest)
    let k = special.count
    guard k > 0 else { return rest }
    var out = [Int](repeating: -1, count: count)
    let spacing = Double(count) / Double(k)
    for (m, index) in special.enumerated() {
      out[min(count - 1, Int((Double(m) + 0.5) * spacing))] = index
    }
    var next = 0
    for p in out.indices where out[p] < 0 {
      out[p] = rest[next]
      next += 1
    }
    return out
  }

  /// Builds the batch of `indices`, augmenting each sample with its own generator for `epoch`.
  public func makeBatch(indices: [Int], epoch: Int) throws -> Batch {
    var samples: [Sample] = []
    samples.reserveCapacity(indices.count)
    for i in indices {
      var s = try dataset.sample(at: i)
      if let aug = options.augmentation {
        var rng = SeedMixing.generator(options.seed, SeedMixing.code("augment"), UInt64(bitPattern: Int64(epoch)), UInt64(i))
        s = aug.apply(to: s, tasks: dataset.tasks, policies: dataset.denseLabelPolicies, using: &rng)
      }
      samples.append(s)
    }
    return try Batch.stack(samples, indices: indices)
  }

  /// The batches of epoch `epoch`, produced on a background thread when
  /// ``DataLoaderOptions/prefetch`` > 0.
  public func batches(epoch: Int, cycle: Int = 0) -> BatchIterator {
    let order = order(epoch: epoch, cycle: cycle)
    let b = options.batchSize
    var chunks: [[Int]] = []
    var start = 0
    while start < order.count {
      let end = min(start + b, order.count)
      if end - start < b && options.dropLast { break }
      chunks.append(Array(order[start..<end]))
      start = end
    }
    return BatchIterator(loader: self, chunks: chunks, epoch: epoch)
  }
}

/// The batches of one epoch of a ``DataLoader``.
///
/// Call ``next()`` until it returns nil. An error from the dataset is rethrown by the `next()`
/// call that reaches the failed batch; the iterator then ends. Dropping the iterator (or calling
/// ``cancel()``) stops its background thread and waits for it to exit.
public final class BatchIterator {
  private let loader: DataLoader
  private let chunks: [[Int]]
  private let epoch: Int
  private var position = 0
  private var done = false
  private let buffer: PrefetchBuffer<Result<Batch, any Error>>?
  private let exited: DispatchSemaphore?

  init(loader: DataLoader, chunks: [[Int]], epoch: Int) {
    self.loader = loader
    self.chunks = chunks
    self.epoch = epoch
    if loader.options.prefetch > 0 && !chunks.isEmpty {
      let buffer = PrefetchBuffer<Result<Batch, any Error>>(capacity: loader.options.prefetch)
      let exited = DispatchSemaphore(value: 0)
      self.buffer = buffer
      self.exited = exited
      let thread = Thread {
        defer { exited.signal() }
        for chunk in chunks {
          let result = Result { try Autograd.withoutGradients { try loader.makeBatch(indices: chunk, epoch: epoch) } }
          guard buffer.put(result) else { return }
          if case .failure = result { break }
        }
        buffer.finish()
      }
      thread.name = "auxmtl.prefetch"
      thread.start()
    } else {
      buffer = nil
      exited = nil
    }
  }

  deinit { cancel() }

  /// Number of batches this epoch yields in total.
  public var count: Int { chunks.count }

  /// The next batch, or nil at the end of the epoch.
  public func next() throws -> Batch? {
    guard !done else { return nil }
    if let buffer {
      guard let result = buffer.take() else {
        done = true
        return nil
      }
      position += 1
      switch result {
      case .success(let b):
        return b
      case .failure(let e):
        done = true
        throw e
      }
    }
    guard position < chunks.count else {
      done = true
      return nil
    }
    let chunk = chunks[position]
    position += 1
    do {
      return try Autograd.withoutGradients { try loader.makeBatch(indices: chunk, epoch: epoch) }
    } catch {
      done = true
      throw error
    }
  }

  /// Stops the background thread (if any) and waits until it has exited. Idempotent.
  public func cancel() {
    done = true
    guard let buffer, let exited else { return }
    buffer.cancel()
    exited.wait()
    exited.signal()  // keep the semaphore signalled so that a second cancel() does not block
  }
}
