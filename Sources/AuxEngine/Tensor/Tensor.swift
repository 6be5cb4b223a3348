/// An n-dimensional, contiguous, row-major array of `Float` with reverse-mode autodiff.
///
/// `Tensor` is a value type: copies share one ``TensorStorage`` until one of them is mutated
/// (copy-on-write). Every op returns a new tensor; when autodiff is enabled (see ``Autograd``) and
/// an input requires a gradient, the op also records a ``GradNode`` so that ``backward(_:retainGraph:inputs:)``
/// and ``Autograd/gradients(of:seeds:wrt:retainGraph:)`` can differentiate through it.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let w = Tensor.randn([3, 2], using: &rng).requiringGrad()
/// let x = Tensor(shape: [4, 3], scalars: (0..<12).map(Float.init))
/// let loss = x.matmul(w).relu().mean()
/// loss.backward()
/// print(w.grad!)  // d loss / d w, shape [3, 2]
/// ```
///
/// Shapes are `[Int]`; a scalar has shape `[]`. Shape mistakes stop the program with a message
/// naming the op and the shapes involved.
public struct Tensor: @unchecked Sendable {
  /// The extent of each dimension, outermost first.
  public private(set) var shape: [Int]
  @usableFromInline internal var storage: TensorStorage
  /// The autodiff record of this tensor: nil when it does not require a gradient.
  @usableFromInline internal var node: GradNode?

  // MARK: Creation

  @usableFromInline
  internal init(shape: [Int], storage: TensorStorage, node: GradNode? = nil) {
    precondition(
      storage.count == Shape.count(shape),
      "Tensor: storage of \(storage.count) elements does not match shape \(shape)")
    self.shape = shape
    self.storage = storage
    self.node = node
  }

  /// A tensor of the given shape whose elements all equal `value`.
  public init(shape: [Int], repeating value: Float = 0) {
    Shape.validate(shape, op: "Tensor(shape:repeating:)")
    self.init(shape: shape, storage: TensorStorage(count: Shape.count(shape), repeating: value))
  }

  /// A tensor of the given shape holding `scalars` in row-major order.
  public init(shape: [Int], scalars: [Float]) {
    Shape.validate(shape, op: "Tensor(shape:scalars:)")
    precondition(
      scalars.count == Shape.count(shape),
      "Tensor(shape:scalars:): \(scalars.count) scalars cannot fill shape \(shape) (\(Shape.count(shape)) elements)")
    self.init(shape: shape, storage: TensorStorage(copying: scalars))
  }

  /// A rank-0 tensor holding `value`.
  public init(_ value: Float) {
    self.init(shape: [], storage: TensorStorage(count: 1, repeating: value))
  }

  /// A 1-D tensor holding `scalars`.
  public init(_ scalars: [Float]) {
    self.init(shape: [scalars.count], scalars: scalars)
  }

  /// A tensor whose contents are unspecified. Kernels use it for outputs they fully overwrite.
  public static func uninitialized(_ shape: [Int]) -> Tensor {
    Shape.validate(shape, op: "Tensor.uninitialized")
    return Tensor(shape: shape, storage: TensorStorage(uninitializedCount: Shape.count(shape)))
  }

  /// A tensor of zeros.
  public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
  /// A tensor of ones.
  public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

  // MARK: Properties

  /// Number of elements.
  public var count: Int { storage.count }
  /// Number of dimensions.
  public var rank: Int { shape.count }
  /// A copy of the elements in row-major order.
  public var scalars: [Float] {
    withUnsafeBufferPointer { Array($0) }
  }
  /// The only element of a one-element tensor.
  public var item: Float {
    precondition(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements, expected 1")
    return storage.pointer[0]
  }

  /// Whether two tensors share the same storage (no copy has been made between them).
  public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

  // MARK: Raw access

  /// Calls `body` with a pointer to the elements. Do not escape the pointer.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
  }

  /// Calls `body` with a mutable pointer to the elements, copying the storage first if it is
  /// shared. Do not escape the pointer.
  ///
  /// Mutating a tensor in place does not record anything for autodiff; it is meant for optimisers,
  /// initialisers and data preparation.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    if !isKnownUniquelyReferenced(&storage) { makeUnique() }
    return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
  }

  @usableFromInline @inline(never)
  internal mutating func makeUnique() {
    storage = storage.copy()
  }

  /// Reads the element at a multi-dimensional index (slow; for tests and printing).
  public subscript(_ index: Int...) -> Float {
    get { storage.pointer[Shape.offset(of: index, in: shape)] }
    set {
      let o = Shape.offset(of: index, in: shape)
      withUnsafeMutableBufferPointer { $0[o] = newValue }
    }
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let values = scalars
    let shown = values.prefix(12).map { String(format4($0)) }.joined(separator: ", ")
    let more = values.count > 12 ? ", … (\(values.count) elements)" : ""
    let grad = node != nil ? ", requiresGrad" : ""
    return "Tensor(shape: \(shape)\(grad), [\(shown)\(more)])"
  }
}

private func format4(_ v: Float) -> String {
  if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
  var s = String(v)
  if s.count > 10 { s = String(s.prefix(10)) }
  return s
}
