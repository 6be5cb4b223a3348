/// Shape arithmetic shared by all ops: element counts, strides, broadcasting and axis checks.
///
/// All functions stop the program with a message naming the op and the shapes when the shapes are
/// incompatible, so that a user sees `add: shapes [2, 3] and [4] cannot broadcast` rather than a
/// crash deep in a kernel.
public enum Shape {
  /// Number of elements of a shape (1 for a scalar).
  @inlinable
  public static func count(_ shape: [Int]) -> Int {
    var n = 1
    for d in shape { n &*= d }
    return n
  }

  /// Row-major strides of a contiguous tensor of this shape.
  public static func strides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      s[i] = acc
      acc *= shape[i]
    }
    return s
  }

  /// Checks that no dimension is negative.
  public static func validate(_ shape: [Int], op: String) {
    precondition(shape.allSatisfy { $0 >= 0 }, "\(op): shape \(shape) has a negative dimension")
  }

  /// Flat offset of a multi-dimensional index.
  public static func offset(of index: [Int], in shape: [Int]) -> Int {
    precondition(index.count == shape.count, "Tensor subscript: index \(index) has \(index.count) components, tensor has rank \(shape.count) (shape \(shape))")
    var o = 0
    for (i, (x, d)) in zip(index, shape).enumerated() {
      precondition(x >= 0 && x < d, "Tensor subscript: index \(index) out of range for shape \(shape) (dimension \(i))")
      o = o * d + x
    }
    return o
  }

  /// The broadcast shape of two shapes (NumPy/PyTorch rules: align trailing dimensions; each pair
  /// must be equal or contain a 1).
  public static func broadcast(_ a: [Int], _ b: [Int], op: String) -> [Int] {
    let n = max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
      let da = i < n - a.count ? 1 : a[i - (n - a.count)]
      let db = i < n - b.count ? 1 : b[i - (n - b.count)]
      if da == db || db == 1 {
        out[i] = da
      } else if da == 1 {
        out[i] = db
      } else {
        preconditionFailure("\(op): shapes \(a) and \(b) cannot broadcast (dimension \(i) of the result: \(da) vs \(db))")
      }
    }
    return out
  }

  /// Strides for reading a tensor of shape `shape` as if it had shape `target` (broadcast
  /// dimensions get stride 0).
  public static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = strides(shape)
    let lead = target.count - shape.count
    var s = [Int](repeating: 0, count: target.count)
    for i in 0..<shape.count where shape[i] != 1 || target[lead + i] == 1 {
      s[lead + i] = shape[i] == 1 ? 0 : own[i]
    }
    return s
  }

  /// Normalises a possibly negative axis for a tensor of the given rank.
  public static func axis(_ axis: Int, rank: Int, op: String) -> Int {
    let a = axis < 0 ? axis + rank : axis
    precondition(a >= 0 && a < max(rank, 1), "\(op): axis \(axis) is out of range for a tensor of rank \(rank)")
    return a
  }

  /// Normalises, sorts and de-duplicates a list of axes.
  public static func axes(_ axes: [Int], rank: Int, op: String) -> [Int] {
    Array(Set(axes.map { axis($0, rank: rank, op: op) })).sorted()
  }
}
