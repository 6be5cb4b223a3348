import Synchronization

/// Reverse-mode automatic differentiation over the define-by-run tape.
///
/// Ops record a ``GradNode`` when autodiff is enabled and one of their inputs requires a gradient.
/// Differentiation walks the recorded graph backwards once, in reverse topological order, and can
///
/// - accumulate gradients into leaves (``Tensor/backward(_:retainGraph:inputs:)``), optionally only
///   into a chosen set of leaves (`inputs:`), or
/// - return gradients with respect to any recorded tensors, interior ones included, without touching
///   leaf gradients (``gradients(of:seeds:wrt:retainGraph:)``). Multi-task weighting methods use this
///   to get each task's gradient with respect to the shared features.
///
/// Unless `retainGraph` is true, the backward functions of the nodes that were run are released,
/// which frees the tensors they saved. A second backward through a released node stops with a
/// message that says to pass `retainGraph: true`.
public enum Autograd {
  /// Whether ops record nodes. Read it anywhere; change it with ``withoutGradients(_:)`` or
  /// ``withGradients(_:)``.
  @TaskLocal public static var isEnabled: Bool = true

  /// Runs `body` with recording switched off (PyTorch's `no_grad`).
  public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try $isEnabled.withValue(false, operation: body)
  }

  /// Runs `body` with recording switched on, for example inside ``withoutGradients(_:)``.
  public static func withGradients<R>(_ body: () throws -> R) rethrows -> R {
    try $isEnabled.withValue(true, operation: body)
  }

  /// Gradients of `outputs` (weighted by `seeds`) with respect to `wrt`.
  ///
  /// - Parameters:
  ///   - outputs: recorded tensors to differentiate. Without seeds, each must have one element.
  ///   - seeds: the upstream gradient for each output (its shape); nil means ones.
  ///   - wrt: recorded tensors (leaves or interior) whose gradients are wanted.
  ///   - retainGraph: keep the backward functions so that the graph can be differentiated again.
  /// - Returns: one gradient per `wrt` tensor, nil where it does not depend on the outputs.
  public static func gradients(
    of outputs: [Tensor], seeds: [Tensor?]? = nil, wrt: [Tensor], retainGraph: Bool = false
  ) -> [Tensor?] {
    let targets = wrt.map { t -> GradNode in
      guard let n = t.node else {
        preconditionFailure("Autograd.gradients: a `wrt` tensor of shape \(t.shape) does not require a gradient (it is not part of the recorded graph)")
      }
      return n
    }
    let roots = makeRoots(outputs, seeds: seeds, op: "Autograd.gradients")
    let found = run(roots: roots, targets: .nodes(targets), retainGraph: retainGraph)
    return targets.map { found[ObjectIdentifier($0)] }
  }

  /// A convenience for one output and one tensor: `d output / d wrt`.
  public static func gradient(of output: Tensor, wrt: Tensor, retainGraph: Bool = false) -> Tensor? {
    gradients(of: [output], wrt: [wrt], retainGraph: retainGraph)[0]
  }

  /// Accumulates the gradient of `outputs` into leaves (all reachable leaves, or only `inputs`).
  public static func backward(
    _ outputs: [Tensor], seeds: [Tensor?]? = nil, retainGraph: Bool = false, inputs: [Tensor]? = nil
  ) {
    let roots = makeRoots(outputs, seeds: seeds, op: "backward")
    let targets: Targets
    if let inputs {
      let ids = inputs.map { t -> ObjectIdentifier in
        guard let n = t.node, n.isLeaf else {
          preconditionFailure("backward(inputs:): every input must be a leaf that requires a gradient; got a tensor of shape \(t.shape) that is \(t.node == nil ? "constant" : "not a leaf (op \(t.node!.op))")")
        }
        return ObjectIdentifier(n)
      }
      targets = .leaves(Set(ids))
    } else {
      targets = .allLeaves
    }
    _ = run(roots: roots, targets: targets, retainGraph: retainGraph)
  }

  // MARK: Engine

  enum Targets {
    case allLeaves
    case leaves(Set<ObjectIdentifier>)
    case nodes([GradNode])
  }

  private static let stampCounter = Atomic<UInt64>(0)

  private static func makeRoots(_ outputs: [Tensor], seeds: [Tensor?]?, op: String) -> [(GradNode, Tensor)] {
    if let seeds {
      precondition(seeds.count == outputs.count, "\(op): \(outputs.count) outputs but \(seeds.count) seeds")
    }
    var roots: [(GradNode, Tensor)] = []
    for (i, out) in outputs.enumerated() {
      guard let node = out.node else {
        preconditionFailure("\(op): output \(i) (shape \(out.shape)) does not require a gradient; nothing was recorded for it (is autodiff disabled, or are all its inputs constant?)")
      }
      let seed: Tensor
      if let s = seeds?[i] {
        precondition(s.shape == out.shape, "\(op): seed \(i) has shape \(s.shape) but its output has shape \(out.shape)")
        seed = s.detached()
      } else {
        precondition(out.count == 1, "\(op): output \(i) has shape \(out.shape); an implicit seed needs a one-element output, so pass a seed (upstream gradient) of that shape")
        seed = Tensor(shape: out.shape, repeating: 1)
      }
      roots.append((node, seed))
    }
    return roots
  }

  static func run(roots: [(GradNode, Tensor)], targets: Targets, retainGraph: Bool) -> [ObjectIdentifier: Tensor] {
    let stamp = stampCounter.add(1, ordering: .relaxed).newValue

    // 1. Post-order DFS: every node appears after all of its inputs.
    var topo: [GradNode] = []
    var stack: [(GradNode, Int)] = []
    for (root, _) in roots where root.visitStamp != stamp {
      root.visitStamp = stamp
      stack.append((root, 0))
      while !stack.isEmpty {
        let (node, next) = stack[stack.count - 1]
        if next < node.inputs.count {
          stack[stack.count - 1].1 = next + 1
          if let child = node.inputs[next], child.visitStamp != stamp {
            child.visitStamp = stamp
            stack.append((child, 0))
          }
        } else {
          stack.removeLast()
          node.order = topo.count
          topo.append(node)
        }
      }
    }

    // 2. A node is needed if it is a target or leads to one.
    var targetIDs = Set<ObjectIdentifier>()
    switch targets {
    case .leaves(let ids): targetIDs = ids
    case .nodes(let nodes): targetIDs = Set(nodes.map(ObjectIdentifier.init))
    case .allLeaves: break
    }
    func isTarget(_ n: GradNode) -> Bool {
      if case .allLeaves = targets { return n.isLeaf }
      return targetIDs.contains(ObjectIdentifier(n))
    }
    for n in topo {
      n.needed = isTarget(n) || n.inputs.contains { $0?.needed == true }
    }

    // 3. Seed and propagate in reverse topological order.
    var grads = [Tensor?](repeating: nil, count: topo.count)
    for (root, seed) in roots where root.needed {
      accumulate(&grads[root.order], seed, op: root.op)
    }
    var found: [ObjectIdentifier: Tensor] = [:]
    let accumulateIntoLeaves: Bool
    if case .nodes = targets { accumulateIntoLeaves = false } else { accumulateIntoLeaves = true }

    withoutGradients {
      for node in topo.reversed() {
        guard node.needed, let g = grads[node.order] else { continue }
        grads[node.order] = nil
        if isTarget(node) {
          if accumulateIntoLeaves {
            accumulate(&node.grad, g, op: "leaf")
          } else {
            found[ObjectIdentifier(node)] = g
          }
        }
        if node.isLeaf { continue }
        let mask = node.inputs.map { $0?.needed == true }
        guard mask.contains(true) else { continue }
        guard let fn = node.backward else {
          preconditionFailure("backward: the graph through op '\(node.op)' was already freed by an earlier backward pass; pass retainGraph: true to the earlier call to differentiate the same graph again")
        }
        let inputGrads = fn(g, mask)
        precondition(inputGrads.count == node.inputs.count, "backward of '\(node.op)' returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
        for (k, input) in node.inputs.enumerated() {
          guard mask[k], let input, let ig = inputGrads[k] else { continue }
          precondition(ig.shape == input.shape, "backward of '\(node.op)': gradient for input \(k) has shape \(ig.shape), expected \(input.shape)")
          accumulate(&grads[input.order], ig, op: node.op)
        }
        if !retainGraph {
          node.backward = nil
        }
      }
    }
    return found
  }

  /// Adds `g` into `slot`, in place when the slot's storage is not shared.
  static func accumulate(_ slot: inout Tensor?, _ g: Tensor, op: String) {
    guard var existing = slot else {
      slot = g.detached()
      return
    }
    slot = nil
    precondition(existing.shape == g.shape, "backward (\(op)): cannot accumulate gradient of shape \(g.shape) into \(existing.shape)")
    let n = existing.count
    g.withUnsafeBufferPointer { src in
      existing.withUnsafeMutableBufferPointer { dst in
        for i in 0..<n { dst[i] += src[i] }
      }
    }
    slot = existing
  }
}

extension Tensor {
  /// Whether this tensor is part of the recorded graph (a leaf that requires a gradient, or the
  /// result of an op on one).
  public var requiresGrad: Bool { node != nil }

  /// Whether this tensor is a leaf of the graph (made with ``requiringGrad()``).
  public var isLeaf: Bool { node?.isLeaf ?? false }

  /// The same values as a new graph leaf that requires a gradient.
  ///
  /// The result shares storage with `self` but starts a new graph: gradients flowing into it stop
  /// there. Multi-task code uses this to give each task head its own alias of the shared features.
  public func requiringGrad() -> Tensor {
    Tensor(shape: shape, storage: storage, node: GradNode(leafWithShape: shape))
  }

  /// The same values without any autodiff record.
  public func detached() -> Tensor {
    Tensor(shape: shape, storage: storage, node: nil)
  }

  /// The gradient accumulated into this leaf by ``backward(_:retainGraph:inputs:)``; nil for
  /// non-leaves and before any backward pass.
  public var grad: Tensor? {
    get { node?.isLeaf == true ? node?.grad : nil }
    nonmutating set {
      guard let node, node.isLeaf else {
        preconditionFailure("Tensor.grad: only a leaf that requires a gradient has a gradient slot (shape \(shape))")
      }
      if let newValue {
        precondition(newValue.shape == shape, "Tensor.grad: gradient of shape \(newValue.shape) assigned to a leaf of shape \(shape)")
        node.grad = newValue.detached()
      } else {
        node.grad = nil
      }
    }
  }

  /// Back-propagates from this tensor and accumulates gradients into leaves.
  ///
  /// - Parameters:
  ///   - seed: the upstream gradient (this tensor's shape); nil means 1 and needs a one-element
  ///     tensor.
  ///   - retainGraph: keep the graph for another backward pass over it.
  ///   - inputs: if given, only these leaves receive gradients (PyTorch's `inputs=`).
  public func backward(_ seed: Tensor? = nil, retainGraph: Bool = false, inputs: [Tensor]? = nil) {
    Autograd.backward([self], seeds: [seed], retainGraph: retainGraph, inputs: inputs)
  }

  /// Records an op for autodiff.
  ///
  /// Call it at the end of an op with the computed `output` (which must not itself require a
  /// gradient) and the op's inputs. If autodiff is enabled and any input requires a gradient, the
  /// result carries a new node whose backward function is `backward`; otherwise `output` is
  /// returned unchanged.
  ///
  /// The closure may capture inputs and `output` (which has no node, so no reference cycle can
  /// form), never the returned tensor.
  @inlinable
  public static func record(
    _ op: String, output: Tensor, inputs: [Tensor], backward: @escaping BackwardFunction
  ) -> Tensor {
    guard Autograd.isEnabled, inputs.contains(where: { $0.node != nil }) else { return output }
    return output.attachingNode(op: op, inputs: inputs, backward: backward)
  }

  @usableFromInline
  internal func attachingNode(op: String, inputs: [Tensor], backward: @escaping BackwardFunction) -> Tensor {
    precondition(node == nil, "Tensor.record(\(op)): the output already has a node")
    let n = GradNode(op: op, shape: shape, inputs: inputs.map(\.node), backward: backward)
    return Tensor(shape: shape, storage: storage, node: n)
  }
}
