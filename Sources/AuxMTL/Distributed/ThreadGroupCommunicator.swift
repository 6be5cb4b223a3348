import Foundation

/// A group of ranks that are threads of one process: a ``Communicator`` per thread whose
/// collectives meet in shared memory.
///
/// It lets a data-parallel step run, and be checked against one process, without MPI: the tests
/// of ``StepDriver``'s collectives use it in every build. Sums run over the ranks in rank order
/// (`((b₀ + b₁) + b₂) + …`, in the buffer's own precision), so a run gives the same bits every
/// time.
///
/// ```swift
/// let results = try ThreadGroupCommunicator.run(ranks: 2) { comm in
///   var x: [Double] = [Double(comm.rank)]
///   try comm.allReduceSum(&x)   // [1] on both ranks
///   return x
/// }
/// ```
public final class ThreadGroupCommunicator: Communicator {
  public let rank: Int
  public var size: Int { group.size }
  public var name: String { "threads" }
  public private(set) var bytesCommunicated = 0
  private let group: Group

  init(rank: Int, group: Group) {
    self.rank = rank
    self.group = group
  }

  /// Runs `body` on `ranks` threads, each with its own communicator of one group, and returns
  /// their results in rank order.
  ///
  /// - Throws: ``CommunicatorError`` when `ranks` < 1; otherwise the first error (in rank order)
  ///   of a rank that failed by itself, before the errors of ranks that failed only because
  ///   another left. A rank that returns or throws leaves the group, so a collective that can no
  ///   longer complete (a rank failed, or the ranks issued different numbers of collectives)
  ///   throws instead of waiting forever.
  public static func run<R>(ranks: Int, _ body: @escaping (ThreadGroupCommunicator) throws -> R) throws -> [R] {
    guard ranks >= 1 else { throw CommunicatorError("ThreadGroupCommunicator.run: ranks must be ≥ 1; found \(ranks)") }
    let group = Group(size: ranks)
    let results = ResultBox<R>(count: ranks)
    let done = DispatchGroup()
    let work = Work(body)
    for r in 0..<ranks {
      done.enter()
      let thread = Thread {
        let comm = ThreadGroupCommunicator(rank: r, group: group)
        do {
          results.set(r, .success(try work.body(comm)))
        } catch {
          results.set(r, .failure(error))
        }
        group.leave()
        done.leave()
      }
      // Autodiff graphs of a training step nest deeply; give each rank a main-thread-sized stack.
      thread.stackSize = 8 << 20
      thread.start()
    }
    done.wait()
    let values = results.values()
    // A rank's own failure is the cause; the others' "has left" errors are its consequence.
    for case .failure(let error) in values {
      if let e = error as? CommunicatorError, e.message.hasSuffix(Group.leftMessage) { continue }
      throw error
    }
    return try values.map { try $0.get() }
  }

  public func allReduceSum(_ buffer: inout [Float]) throws {
    buffer = try group.collective(rank, buffer, "allReduceSum") { Self.sum($0) }
    bytesCommunicated += buffer.count * MemoryLayout<Float>.size
  }

  public func allReduceSum(_ buffer: inout [Double]) throws {
    buffer = try group.collective(rank, buffer, "allReduceSum") { Self.sum($0) }
    bytesCommunicated += buffer.count * MemoryLayout<Double>.size
  }

  public func broadcast(_ buffer: inout [Float], root: Int) throws {
    try checkRoot(root)
    buffer = try group.collective(rank, buffer, "broadcast") { $0[root] }
    bytesCommunicated += buffer.count * MemoryLayout<Float>.size
  }

  public func broadcast(_ buffer: inout [Double], root: Int) throws {
    try checkRoot(root)
    buffer = try group.collective(rank, buffer, "broadcast") { $0[root] }
    bytesCommunicated += buffer.count * MemoryLayout<Double>.size
  }

  public func barrier() throws {
    _ = try group.collective(rank, [Float](), "barrier") { _ in [] }
  }

  private func checkRoot(_ root: Int) throws {
    guard (0..<size).contains(root) else {
      throw CommunicatorError("broadcast: root must be a rank in 0..<\(size); found \(root)")
    }
  }

  private static func sum<T: FloatingPoint>(_ buffers: [[T]]) -> [T] {
    var out = buffers[0]
    for b in buffers.dropFirst() { for i in out.indices { out[i] += b[i] } }
    return out
  }

  /// The shared state of one group: each collective waits until every rank has handed in its
  /// buffer; the last to arrive combines them.
  final class Group: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var contributions: [Any?]
    private var arrived = 0
    private var generation = 0
    private var outcome: Result<Any, CommunicatorError> = .success(())
    private var left = false

    init(size: Int) {
      self.size = size
      contributions = [Any?](repeating: nil, count: size)
    }

    /// The end of the message of a collective that cannot complete because a rank left.
    static let leftMessage = "another rank of the group has left (it failed, or the ranks issued different collectives)"

    /// A rank returned or failed: every pending and later collective of the others throws.
    func leave() {
      condition.lock()
      left = true
      condition.broadcast()
      condition.unlock()
    }

    func collective<T>(_ rank: Int, _ buffer: [T], _ what: String, combine: ([[T]]) -> [T]) throws -> [T] {
      condition.lock()
      defer { condition.unlock() }
      guard !left else { throw CommunicatorError("\(what): \(Self.leftMessage)") }
      let myGeneration = generation
      contributions[rank] = buffer
      arrived += 1
      if arrived == size {
        let buffers = contributions.map { $0 as? [T] }
        if buffers.contains(where: { $0 == nil }) {
          outcome = .failure(CommunicatorError("\(what): the ranks called different collectives"))
        } else {
          let lengths = buffers.map { $0!.count }
          if Set(lengths).count > 1 {
            outcome = .failure(CommunicatorError("\(what): buffer lengths differ across ranks (\(lengths.map(String.init).joined(separator: ", ")))"))
          } else {
            outcome = .success(combine(buffers.map { $0! }))
          }
        }
        contributions = [Any?](repeating: nil, count: size)
        arrived = 0
        generation += 1
        condition.broadcast()
      } else {
        while generation == myGeneration && !left { condition.wait() }
        guard generation != myGeneration else { throw CommunicatorError("\(what): \(Self.leftMessage)") }
      }
      return try outcome.get() as! [T]
    }
  }

  /// The ranks' body, handed to their threads (each thread calls it once with its own
  /// communicator).
  private final class Work<R>: @unchecked Sendable {
    let body: (ThreadGroupCommunicator) throws -> R
    init(_ body: @escaping (ThreadGroupCommunicator) throws -> R) { self.body = body }
  }

  private final class ResultBox<R>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<R, any Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<R, any Error>) {
      lock.lock()
      slots[i] = r
      lock.unlock()
    }
    func values() -> [Result<R, any Error>] {
      lock.lock()
      defer { lock.unlock() }
      return slots.map { $0! }
    }
  }
}
