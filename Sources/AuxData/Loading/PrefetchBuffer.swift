import Foundation

/// A bounded, blocking queue between one producer thread and one consumer, with cancellation.
///
/// The producer blocks in ``put(_:)`` while the queue is full; the consumer blocks in ``take()``
/// while it is empty. ``cancel()`` wakes both: `put` then returns false (the producer stops) and
/// `take` returns nil.
final class PrefetchBuffer<Element>: @unchecked Sendable {
  private let condition = NSCondition()
  private var items: [Element] = []
  private var head = 0
  private var finished = false
  private var cancelled = false
  let capacity: Int

  init(capacity: Int) {
    precondition(capacity >= 1, "PrefetchBuffer: capacity must be at least 1, got \(capacity)")
    self.capacity = capacity
  }

  /// Appends `item`, waiting while the queue is full. Returns false when cancelled.
  func put(_ item: Element) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while items.count - head >= capacity && !cancelled { condition.wait() }
    if cancelled { return false }
    items.append(item)
    condition.broadcast()
    return true
  }

  /// Marks the end of the stream: once drained, ``take()`` returns nil.
  func finish() {
    condition.lock()
    finished = true
    condition.broadcast()
    condition.unlock()
  }

  /// Stops both sides and drops queued items.
  func cancel() {
    condition.lock()
    cancelled = true
    items.removeAll()
    head = 0
    condition.broadcast()
    condition.unlock()
  }

  /// The next item, waiting while the queue is empty; nil at the end or after cancellation.
  func take() -> Element? {
    condition.lock()
    defer { condition.unlock() }
    while head == items.count && !finished && !cancelled { condition.wait() }
    if cancelled || head == items.count { return nil }
    let item = items[head]
    head += 1
    if head > 64 && head * 2 > items.count {
      items.removeFirst(head)
      head = 0
    }
    condition.broadcast()
    return item
  }

  /// Items waiting to be taken (for tests).
  var pending: Int {
    condition.lock()
    defer { condition.unlock() }
    return items.count - head
  }
}
