#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A contiguous, 64-byte-aligned buffer of `Float` values shared by tensors.
///
/// `TensorStorage` is the only owner of tensor memory. A ``Tensor`` holds a reference to one and
/// copies it before mutation when the reference is shared (copy-on-write). Kernels never index the
/// storage directly; they receive raw pointers through ``Tensor/withUnsafeBufferPointer(_:)`` and
/// friends.
///
/// Freed buffers return to a size-keyed ``StorageCache`` instead of the system allocator: a
/// training step allocates the same shapes every iteration, and recycling them avoids page faults
/// and zeroing of multi-megabyte buffers.
public final class TensorStorage: @unchecked Sendable {
  /// Number of `Float` elements.
  public let count: Int
  /// Base address; valid for `count` elements while the storage is alive. Do not escape it.
  public let pointer: UnsafeMutablePointer<Float>

  /// Allocates storage whose contents are unspecified (every element must be written).
  public init(uninitializedCount count: Int) {
    precondition(count >= 0, "TensorStorage: negative element count \(count)")
    self.count = count
    self.pointer = StorageCache.shared.allocate(count: count)
  }

  /// Allocates storage filled with `value`.
  public convenience init(count: Int, repeating value: Float) {
    self.init(uninitializedCount: count)
    if value == 0 {
      memset(pointer, 0, count * MemoryLayout<Float>.stride)
    } else {
      pointer.update(repeating: value, count: count)
    }
  }

  /// Allocates storage holding a copy of `values`.
  public convenience init<C: Collection>(copying values: C) where C.Element == Float {
    self.init(uninitializedCount: values.count)
    var i = 0
    for v in values {
      pointer[i] = v
      i += 1
    }
  }

  /// Returns a new storage holding a copy of this one.
  public func copy() -> TensorStorage {
    let s = TensorStorage(uninitializedCount: count)
    s.pointer.update(from: pointer, count: count)
    return s
  }

  deinit {
    StorageCache.shared.release(pointer, count: count)
  }
}
