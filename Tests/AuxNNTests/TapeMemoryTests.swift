@testable import AuxEngine
import AuxNN
import AuxTestSupport
import Testing

/// The tape must not leak: nodes refer only to their inputs, backward closures never capture their
/// own outputs, and `retainGraph: false` releases what they saved. These tests train a small model
/// with every loss and shape op of the engine for 10,000 steps.
@Suite("Tape memory")
struct TapeMemoryTests {
  final class WeakRef {
    weak var object: AnyObject?
    init(_ object: AnyObject) { self.object = object }
  }

  /// Every non-leaf node reachable from `node`, held weakly (leaves are the model's parameters,
  /// which outlive the step by design).
  static func reachableNodes(_ node: GradNode) -> [WeakRef] {
    var seen = Set<ObjectIdentifier>()
    var stack = [node]
    var out: [WeakRef] = []
    while let n = stack.popLast() {
      guard seen.insert(ObjectIdentifier(n)).inserted else { continue }
      if !n.isLeaf { out.append(WeakRef(n)) }
      for case let i? in n.inputs { stack.append(i) }
    }
    return out
  }

  /// A step's fixed data and a model.
  struct Setup {
    let model: Sequential
    let optimizer: SGD
    let x: Tensor, labels: Tensor, bits: Tensor, direction: Tensor, valid: Tensor, dense: Tensor
  }

  static func setup() -> Setup {
    var rng = RandomGenerator(seed: 5)
    let model = Sequential(Linear(16, 32, rng: &rng), ReLU(), Dropout(0.2, rng: &rng), Linear(32, 6, rng: &rng))
    let optimizer = SGD([ParameterGroup(module: model, learningRate: 0.01)], momentum: 0.9)
    let x = Initializers.normal([32, 16], using: &rng)
    var labels = (0..<32).map { _ in Float(rng.nextInt(below: 6)) }
    labels[3] = -1
    labels[17] = -1
    let bits = Tensor(shape: [32, 6], scalars: (0..<192).map { _ in rng.nextUniform() > 0.5 ? 1 : 0 })
    let direction = Initializers.normal([32, 3], using: &rng).normalized(axis: 1)
    let valid = Tensor(shape: [32], scalars: (0..<32).map { $0 % 5 == 0 ? 0 : 1 })
    let dense = Initializers.normal([2, 3, 4, 4], using: &rng)
    return Setup(
      model: model, optimizer: optimizer, x: x, labels: Tensor(labels), bits: bits, direction: direction,
      valid: valid, dense: dense)
  }

  /// One training step through every new op; returns the loss value and weak references to the
  /// step's nodes and storages.
  static func step(_ s: Setup, backward: Bool = true) -> (Float, [WeakRef]) {
    s.optimizer.zeroGrad()
    let logits = s.model(s.x)
    let ce = logits.crossEntropy(target: s.labels, ignoreIndex: -1)
    let soft = logits.crossEntropy(softTarget: logits.detached().softmax(axis: 1))
    let bce = logits.binaryCrossEntropyWithLogits(target: s.bits, posWeight: Tensor([2]))
    let head = Tensor.concat([logits.sliced(axis: 1, range: 0..<2), logits.max(axis: 1, keepDim: true)], axis: 1)
    let normal = Losses.cosineDistance(head.normalized(axis: 1), s.direction, mask: s.valid)
    let l1 = logits.logSoftmax(axis: -1).exp().l1Loss(s.bits / 6, mask: s.valid.unsqueezed(at: 1))
    let stacked = Tensor.stack([logits.min(axis: 0), logits.softmax(axis: 0).max(axis: 0)], axis: 0)
    let denseLogits = s.dense * logits.mean()
    let denseCE = denseLogits.crossEntropy(target: Tensor(shape: [2, 4, 4], repeating: 1))
    let loss = ce + 0.1 * soft + 0.1 * bce + 0.1 * normal + l1 + 0.01 * stacked.mseLoss(Tensor.zeros([2, 6])) + 0.01 * denseCE
    var refs = reachableNodes(loss.node!)
    for t in [logits, ce, head, stacked, denseLogits, loss] { refs.append(WeakRef(t.storage)) }
    if backward {
      loss.backward()
      s.optimizer.step()
    }
    return (loss.item, refs)
  }

  @Test("a step's nodes and tensors are all freed when the step ends (no retain cycles)")
  func noCycles() {
    let s = Self.setup()
    for _ in 0..<3 {
      let (_, refs) = Self.step(s)
      let alive = refs.filter { $0.object != nil }
      let names = alive.compactMap { ($0.object as? GradNode)?.op }
      #expect(refs.count > 40, "the step should record many nodes, got \(refs.count)")
      #expect(alive.isEmpty, "\(alive.count) of \(refs.count) objects outlived the step: nodes \(names)")
    }
  }

  @Test("a graph dropped without a backward pass is freed too (no closure captures its output)")
  func noCyclesWithoutBackward() {
    let s = Self.setup()
    let (_, refs) = Self.step(s, backward: false)
    let alive = refs.filter { $0.object != nil }
    let names = alive.compactMap { ($0.object as? GradNode)?.op }
    #expect(refs.count > 40)
    #expect(alive.isEmpty, "\(alive.count) of \(refs.count) objects outlived the graph: nodes \(names)")
  }

  @Test("live bytes and live nodes stay flat over 10,000 training steps")
  func flatOverTenThousandSteps() {
    let s = Self.setup()
    let steps = 10_000
    let warmup = 200
    let windows = 14
    let window = (steps - warmup) / windows
    // Minimum over each window of 700 steps: other tests running in parallel in this process
    // allocate too, and a minimum sees through their transient use.
    var bytes = [Int](repeating: .max, count: windows)
    var nodes = [Int](repeating: .max, count: windows)
    var firstLoss: Float = 0
    var lastLoss: Float = 0
    for i in 0..<steps {
      let (loss, _) = Self.step(s)
      if i == 0 { firstLoss = loss }
      lastLoss = loss
      guard i >= warmup else { continue }
      let w = Swift.min((i - warmup) / window, windows - 1)
      bytes[w] = Swift.min(bytes[w], StorageCache.shared.liveBytes)
      nodes[w] = Swift.min(nodes[w], GradNode.liveCount)
    }
    // Nodes: a leak of one node per step adds ~9,000; parallel tests hold a few hundred at most.
    #expect(nodes.last! - nodes.first! <= 2_000, "live nodes per window (minimum): \(nodes)")
    // Bytes: run alone, the minima are identical from window to window. A leak raises every
    // window's minimum over the one before; parallel tests can raise some, not all 13 in a row.
    let rises = zip(bytes, bytes.dropFirst()).filter { $1 > $0 }.count
    #expect(
      rises < windows - 1 || bytes.last! - bytes.first! <= 16 * 1024,
      "live bytes per window (minimum) grow steadily: \(bytes)")
    #expect(lastLoss < firstLoss, "training should reduce the loss: \(firstLoss) → \(lastLoss)")
  }
}
