import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The engine's own multi-threading: a few coarse tasks run on the dispatch pool.
///
/// Kernels that split their work (conv2d splits the batch) ask ``taskCount(for:)`` how many tasks
/// to make and run them with ``run(_:_:)``. BLAS calls inside such tasks must run single-threaded;
/// ``withSingleThreadedBLAS(_:)`` arranges that and restores the previous OpenBLAS setting.
public enum Parallel {
  private static let threads = Atomic<Int>(Parallel.processorCount)

  /// Online processors of this machine.
  public static var processorCount: Int {
    #if os(Linux)
      return Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
      return 1
    #endif
  }

  /// Most threads the engine's own kernels use (default: the processor count; 1 disables
  /// multi-threading). Independent of the BLAS thread count.
  public static var threadCount: Int {
    get { threads.load(ordering: .relaxed) }
    set { threads.store(Swift.max(1, newValue), ordering: .relaxed) }
  }

  /// How many tasks to split `items` independent items into: at most ``threadCount``.
  public static func taskCount(for items: Int) -> Int { Swift.max(1, Swift.min(items, threadCount)) }

  /// Runs `body(0) … body(tasks − 1)` concurrently (the calling thread takes part) and returns when
  /// all are done. With one task, runs it inline.
  ///
  /// `body` may capture pointers and mutable state; each task must touch only its own share.
  public static func run(_ tasks: Int, _ body: (Int) -> Void) {
    if tasks <= 1 {
      body(0)
      return
    }
    withoutActuallyEscaping(body) { body in
      let box = UncheckedSendableBox(body)
      DispatchQueue.concurrentPerform(iterations: tasks) { box.value($0) }
    }
  }

  /// Work (in elements touched) below which splitting a loop over threads costs more than it saves.
  public static let minimumParallelWork = 1 << 16

  /// Calls `body` with contiguous sub-ranges of `0..<count` that together cover it, concurrently
  /// when `work` (elements touched in all) reaches ``minimumParallelWork``, else once with the
  /// whole range.
  public static func split(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
    let tasks = work >= minimumParallelWork ? taskCount(for: count) : 1
    if tasks <= 1 {
      body(0..<count)
      return
    }
    run(tasks) { t in body((t * count / tasks)..<((t + 1) * count / tasks)) }
  }

  /// Runs `body` with OpenBLAS limited to one thread (so that concurrent tasks do not compete for
  /// its thread pool), then restores the previous thread count.
  ///
  /// The OpenBLAS thread count is process-wide; a BLAS call made meanwhile on another thread also
  /// runs single-threaded (only slower, never wrong).
  ///
  /// Sections may overlap (several threads running convolutions at once): the first to enter saves
  /// the setting and the last to leave restores it.
  public static func withSingleThreadedBLAS<R>(_ body: () -> R) -> R {
    singleThreadedBLAS.withLock { state in
      if state.depth == 0 {
        state.saved = BLAS.threadCount
        if state.saved != 1 { BLAS.threadCount = 1 }
      }
      state.depth += 1
    }
    defer {
      singleThreadedBLAS.withLock { state in
        state.depth -= 1
        if state.depth == 0 && state.saved != 1 { BLAS.threadCount = state.saved }
      }
    }
    return body()
  }

  private static let singleThreadedBLAS = Mutex<(depth: Int, saved: Int)>((0, 1))

  /// The OpenBLAS thread count outside single-threaded sections (tests).
  static var blasBaseline: Int {
    singleThreadedBLAS.withLock { $0.depth == 0 ? BLAS.threadCount : $0.saved }
  }
}

/// Carries a non-Sendable value into concurrently running tasks; the user guarantees safety.
struct UncheckedSendableBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
