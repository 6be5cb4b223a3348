#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Synchronization

/// A bounded cache of freed tensor buffers, keyed by exact element count.
///
/// Training repeats the same shapes every step, so an exact-size free list hits almost always after
/// the first step. The cache keeps at most ``capacityBytes`` of idle memory; beyond that, buffers
/// go back to the system. Small buffers (under 1 KiB) bypass the cache: malloc is cheap for them.
///
/// The cache is thread-safe (data-loader threads allocate tensors too).
public final class StorageCache: Sendable {
  /// The process-wide cache used by ``TensorStorage``.
  public static let shared = StorageCache()

  private struct State {
    var free: [Int: [UInt]] = [:]  // addresses of idle buffers, by element count
    var idleBytes = 0
    var capacityBytes = 1 << 30
    var liveBytes = 0
    var peakLiveBytes = 0
  }

  private let state = Mutex(State())
  private static let minimumCachedCount = 256

  /// Largest number of idle bytes kept for reuse (default 1 GiB). Setting it lower trims the cache.
  public var capacityBytes: Int {
    get { state.withLock { $0.capacityBytes } }
    set {
      let dropped: [UInt] = state.withLock { s in
        s.capacityBytes = max(0, newValue)
        return Self.trim(&s)
      }
      dropped.forEach(Self.freeAddress)
    }
  }

  /// Bytes currently held by live tensors.
  public var liveBytes: Int { state.withLock { $0.liveBytes } }
  /// Highest value of ``liveBytes`` since the last ``resetPeak()``.
  public var peakLiveBytes: Int { state.withLock { $0.peakLiveBytes } }
  /// Bytes held idle in the cache.
  public var idleBytes: Int { state.withLock { $0.idleBytes } }

  /// Restarts peak tracking from the current live size.
  public func resetPeak() { state.withLock { $0.peakLiveBytes = $0.liveBytes } }

  /// Returns every idle buffer to the system.
  public func purge() {
    let all: [UInt] = state.withLock { s in
      let ptrs = s.free.values.flatMap { $0 }
      s.free.removeAll()
      s.idleBytes = 0
      return ptrs
    }
    all.forEach(Self.freeAddress)
  }

  func allocate(count: Int) -> UnsafeMutablePointer<Float> {
    let bytes = max(count, 1) * MemoryLayout<Float>.stride
    if count >= Self.minimumCachedCount {
      let reused: UInt? = state.withLock { s in
        s.liveBytes += bytes
        s.peakLiveBytes = max(s.peakLiveBytes, s.liveBytes)
        guard var list = s.free[count], let p = list.popLast() else { return nil }
        s.free[count] = list.isEmpty ? nil : list
        s.idleBytes -= bytes
        return p
      }
      if let p = reused { return UnsafeMutablePointer<Float>(bitPattern: p)! }
    } else {
      state.withLock { s in
        s.liveBytes += bytes
        s.peakLiveBytes = max(s.peakLiveBytes, s.liveBytes)
      }
    }
    var raw: UnsafeMutableRawPointer?
    let rc = posix_memalign(&raw, 64, bytes)
    precondition(rc == 0 && raw != nil, "TensorStorage: cannot allocate \(bytes) bytes (posix_memalign returned \(rc))")
    return raw!.bindMemory(to: Float.self, capacity: max(count, 1))
  }

  func release(_ p: UnsafeMutablePointer<Float>, count: Int) {
    let bytes = max(count, 1) * MemoryLayout<Float>.stride
    if count < Self.minimumCachedCount {
      state.withLock { $0.liveBytes -= bytes }
      free(p)
      return
    }
    let address = UInt(bitPattern: p)
    let dropped: [UInt] = state.withLock { s in
      s.liveBytes -= bytes
      s.free[count, default: []].append(address)
      s.idleBytes += bytes
      return Self.trim(&s)
    }
    dropped.forEach(Self.freeAddress)
  }

  private static func freeAddress(_ address: UInt) {
    free(UnsafeMutableRawPointer(bitPattern: address))
  }

  private static func trim(_ s: inout State) -> [UInt] {
    guard s.idleBytes > s.capacityBytes else { return [] }
    var dropped: [UInt] = []
    // Drop the largest idle buffers first: they are the costliest to hold.
    for key in s.free.keys.sorted(by: >) where s.idleBytes > s.capacityBytes {
      guard var list = s.free[key] else { continue }
      while s.idleBytes > s.capacityBytes, let p = list.popLast() {
        dropped.append(p)
        s.idleBytes -= key * MemoryLayout<Float>.stride
      }
      s.free[key] = list.isEmpty ? nil : list
    }
    return dropped
  }
}
