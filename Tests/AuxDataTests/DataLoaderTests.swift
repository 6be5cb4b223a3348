import AuxEngine
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

/// Counts calls from any thread.
final class CallCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var n = 0
  func increment() {
    lock.lock()
    n += 1
    lock.unlock()
  }
  var value: Int {
    lock.lock()
    defer { lock.unlock() }
    return n
  }
}

/// Sample i has image [1, 2, 2] filled with i, class label i % 7 and a dense label equal to the
/// image. It throws at `failAt` and sleeps `delay` seconds per sample.
struct IndexDataset: MultiTaskDataset {
  var count: Int
  var failAt: Int? = nil
  var delay: Double = 0
  var calls = CallCounter()
  var name: String { "index" }
  var tasks: [TaskLabelSpec] {
    [TaskLabelSpec(name: "y", kind: .classIndex(classes: 7)), TaskLabelSpec(name: "d", kind: .denseRegression(channels: 1))]
  }
  var imageShape: [Int] { [1, 2, 2] }
  func sample(at index: Int) throws -> Sample {
    calls.increment()
    if delay > 0 { Thread.sleep(forTimeInterval: delay) }
    if index == failAt { throw DatasetError("sample \(index) is broken") }
    let img = Tensor(shape: [1, 2, 2], repeating: Float(index))
    return Sample(image: img, labels: ["y": Tensor([Float(index % 7)]), "d": img], masks: ["d": Tensor.ones([1, 2, 2])])
  }
}

func drain(_ it: BatchIterator) throws -> [Batch] {
  var out: [Batch] = []
  while let b = try it.next() { out.append(b) }
  return out
}

@Suite("Data loader")
struct DataLoaderTests {
  @Test("shuffling is a seeded permutation: same seed and epoch, same order; new epoch or seed, new order")
  func order() {
    let d = IndexDataset(count: 50)
    let a = DataLoader(d, DataLoaderOptions(batchSize: 8, seed: 3))
    let b = DataLoader(d, DataLoaderOptions(batchSize: 8, seed: 3))
    let c = DataLoader(d, DataLoaderOptions(batchSize: 8, seed: 4))
    #expect(a.order(epoch: 0) == b.order(epoch: 0))
    #expect(a.order(epoch: 0) != a.order(epoch: 1))
    #expect(a.order(epoch: 0) != c.order(epoch: 0))
    #expect(a.order(epoch: 0).sorted() == Array(0..<50))
    #expect(a.order(epoch: 0) != Array(0..<50))
    let plain = DataLoader(d, DataLoaderOptions(batchSize: 8, shuffle: false))
    #expect(plain.order(epoch: 5) == Array(0..<50))
  }

  @Test("batches stack samples in order; drop-last drops only a short last batch", arguments: [0, 2])
  func batching(prefetch: Int) throws {
    let d = IndexDataset(count: 23)
    for dropLast in [false, true] {
      let loader = DataLoader(d, DataLoaderOptions(batchSize: 5, dropLast: dropLast, seed: 1, prefetch: prefetch))
      let batches = try drain(loader.batches(epoch: 2))
      #expect(batches.count == (dropLast ? 4 : 5) && loader.batchesPerEpoch == batches.count)
      #expect(batches.map(\.count) == (dropLast ? [5, 5, 5, 5] : [5, 5, 5, 5, 3]))
      let seen = batches.flatMap(\.indices)
      #expect(seen == Array(loader.order(epoch: 2).prefix(seen.count)))
      for b in batches {
        #expect(b.images.shape == [b.count, 1, 2, 2] && b.labels["y"]!.shape == [b.count, 1])
        #expect(b.labels["d"]!.shape == [b.count, 1, 2, 2] && b.masks["d"]!.shape == [b.count, 1, 2, 2])
        for (k, i) in b.indices.enumerated() {
          #expect(b.images[k, 0, 1, 1] == Float(i) && b.labels["y"]![k, 0] == Float(i % 7))
        }
      }
    }
  }

  @Test("background prefetch yields exactly the synchronous batches, augmentation included")
  func prefetchEqualsSync() throws {
    let d = IndexDataset(count: 30)
    let aug = Augmentation([.randomCrop(height: 2, width: 2, padding: 1), .horizontalFlip()])
    let sync = DataLoader(d, DataLoaderOptions(batchSize: 4, seed: 9, prefetch: 0, augmentation: aug))
    let async = DataLoader(d, DataLoaderOptions(batchSize: 4, seed: 9, prefetch: 3, augmentation: aug))
    let a = try drain(sync.batches(epoch: 1)), b = try drain(async.batches(epoch: 1))
    #expect(a.count == b.count)
    for (x, y) in zip(a, b) {
      #expect(x.indices == y.indices && x.images.scalars == y.images.scalars && x.labels["d"]!.scalars == y.labels["d"]!.scalars)
    }
    // Augmentation differs between epochs but not between runs.
    let c = try drain(sync.batches(epoch: 2))
    #expect(zip(a, c).contains { $0.images.scalars != $1.images.scalars })
  }

  @Test("a dataset error surfaces in the consumer at its batch, then the epoch ends", arguments: [0, 2])
  func errors(prefetch: Int) throws {
    let d = IndexDataset(count: 20, failAt: 13)
    let loader = DataLoader(d, DataLoaderOptions(batchSize: 4, shuffle: false, prefetch: prefetch))
    let it = loader.batches(epoch: 0)
    var good = 0
    do {
      while try it.next() != nil { good += 1 }
      Issue.record("the broken sample must throw")
    } catch let e as DatasetError {
      #expect(e.message == "sample 13 is broken")
    }
    #expect(good == 3)  // batches 0-3, 4-7, 8-11 arrive; 12-15 fails
    #expect(try it.next() == nil)
  }

  @Test("the prefetch queue is bounded and dropping the iterator stops its thread")
  func boundedAndCancellable() throws {
    let d = IndexDataset(count: 400, delay: 0.001)
    let loader = DataLoader(d, DataLoaderOptions(batchSize: 2, prefetch: 2))
    var it: BatchIterator? = loader.batches(epoch: 0)
    _ = try it!.next()
    Thread.sleep(forTimeInterval: 0.15)
    // One batch taken, at most 2 queued and 1 in progress: no more than 4 batches' samples read.
    #expect(d.calls.value <= 4 * 2)
    it = nil  // deinit cancels and joins
    let after = d.calls.value
    Thread.sleep(forTimeInterval: 0.05)
    #expect(d.calls.value == after)
    #expect(it == nil)
  }

  @Test("prefetch buffer: FIFO, blocking put until a take, cancel wakes both sides")
  func buffer() {
    let q = PrefetchBuffer<Int>(capacity: 2)
    #expect(q.put(1) && q.put(2))
    let done = DispatchSemaphore(value: 0)
    let third = CallCounter()
    Thread {
      if q.put(3) { third.increment() }
      done.signal()
    }.start()
    Thread.sleep(forTimeInterval: 0.05)
    #expect(third.value == 0 && q.pending == 2)  // blocked while full
    #expect(q.take() == 1)
    done.wait()
    #expect(third.value == 1 && q.take() == 2 && q.take() == 3)
    q.finish()
    #expect(q.take() == nil)
    let r = PrefetchBuffer<Int>(capacity: 1)
    let woke = DispatchSemaphore(value: 0)
    Thread {
      _ = r.take()
      woke.signal()
    }.start()
    r.cancel()
    #expect(woke.wait(timeout: .now() + 2) == .success)
    #expect(!r.put(1))
  }

  @Test("stacking samples whose shapes differ fails with the indices and shapes")
  func stackMismatch() throws {
    let a = Sample(image: Tensor.zeros([1, 2, 2]), labels: ["y": Tensor([1])])
    let b = Sample(image: Tensor.zeros([1, 3, 2]), labels: ["y": Tensor([1])])
    do {
      _ = try Batch.stack([a, b], indices: [4, 9])
      Issue.record("mismatched shapes must fail")
    } catch let e as DatasetError {
      #expect(e.message.contains("sample 9") && e.message.contains("[1, 3, 2]"))
    }
    let c = Sample(image: Tensor.zeros([1, 2, 2]), labels: ["z": Tensor([1])])
    #expect(throws: DatasetError.self) { try Batch.stack([a, c], indices: [0, 1]) }
  }

  @Test("multi-input: one batch per task per step, epoch = task 0's batches, short tasks restart")
  func multiInput() throws {
    struct Named: MultiTaskDataset {
      let base: IndexDataset
      let task: String
      var name: String { task }
      var count: Int { base.count }
      var tasks: [TaskLabelSpec] { [TaskLabelSpec(name: task, kind: .classIndex(classes: 7))] }
      var imageShape: [Int] { base.imageShape }
      func sample(at index: Int) throws -> Sample {
        let s = try base.sample(at: index)
        return Sample(image: s.image, labels: [task: s.labels["y"]!])
      }
    }
    let ds: [any MultiTaskDataset] = [
      Named(base: IndexDataset(count: 10), task: "a"), Named(base: IndexDataset(count: 4), task: "b"),
      Named(base: IndexDataset(count: 25), task: "c"),
    ]
    let loader = MultiInputLoader(ds, DataLoaderOptions(batchSize: 3, seed: 2, prefetch: 1))
    #expect(loader.stepsPerEpoch == 4 && loader.tasks == ["a", "b", "c"])
    let it = loader.steps(epoch: 0)
    var steps: [MultiInputStep] = []
    while let s = try it.next() { steps.append(s) }
    #expect(steps.count == 4)
    #expect(steps.allSatisfy { $0.batches.count == 3 && $0.batch(for: "b")!.labels["b"] != nil })
    #expect(steps.flatMap { $0.batches[0].indices }.sorted() == Array(0..<10))
    // Task b (4 samples, batches of 3 and 1) restarted once per two steps.
    #expect(it.passes == [0, 1, 0])
    #expect(steps.map { $0.batches[1].count } == [3, 1, 3, 1])
    let again = loader.steps(epoch: 0)
    let first = try again.next()!
    #expect(first.batches.map(\.indices) == steps[0].batches.map(\.indices))
  }
}
