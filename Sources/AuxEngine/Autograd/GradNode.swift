import Synchronization

/// The backward function of a recorded op.
///
/// It receives the gradient of the op's output and a mask telling which inputs need a gradient,
/// and returns one gradient per input (nil where the mask is false or the input is constant).
/// Returned gradients must have the inputs' shapes.
public typealias BackwardFunction = (_ upstream: Tensor, _ needsInputGradient: [Bool]) -> [Tensor?]

/// One entry of the define-by-run tape: an op's inputs and its backward function.
///
/// Nodes form a DAG from outputs back to inputs. Each tensor that requires a gradient refers to
/// exactly one node; a node refers to its inputs' nodes, never to its own output, so the graph has
/// no reference cycles and is freed as soon as the last tensor of a step goes away.
///
/// A *leaf* node has no backward function: it is where gradients are accumulated (parameters, or
/// any tensor made with ``Tensor/requiringGrad()``).
public final class GradNode {
  /// The op that produced this node (for error messages and debugging).
  public let op: String
  /// The shape of the tensor this node belongs to.
  public let shape: [Int]
  /// Input nodes, one per op input (nil for inputs that do not require a gradient).
  let inputs: [GradNode?]
  /// The op's backward function; nil for leaves and after the graph has been freed.
  var backward: BackwardFunction?
  /// Whether this node is a leaf.
  public let isLeaf: Bool
  /// The gradient accumulated by ``Tensor/backward(_:retainGraph:inputs:)`` (leaves only).
  public internal(set) var grad: Tensor?

  // Traversal bookkeeping (valid during one backward pass only).
  var visitStamp: UInt64 = 0
  var order: Int = 0
  var needed = false
  var freed = false

  private static let live = Atomic<Int>(0)

  /// Number of nodes currently alive in the process (leaves included).
  ///
  /// A debugging aid for leak tests: after a training step's tensors go out of scope it returns to
  /// its previous value. It counts every thread's nodes.
  public static var liveCount: Int { live.load(ordering: .relaxed) }

  init(leafWithShape shape: [Int]) {
    Self.live.add(1, ordering: .relaxed)
    self.op = "leaf"
    self.shape = shape
    self.inputs = []
    self.backward = nil
    self.isLeaf = true
  }

  init(op: String, shape: [Int], inputs: [GradNode?], backward: @escaping BackwardFunction) {
    Self.live.add(1, ordering: .relaxed)
    self.op = op
    self.shape = shape
    self.inputs = inputs
    self.backward = backward
    self.isLeaf = false
  }

  deinit { Self.live.subtract(1, ordering: .relaxed) }

  /// Clears the accumulated gradient.
  public func zeroGrad() { grad = nil }
}
