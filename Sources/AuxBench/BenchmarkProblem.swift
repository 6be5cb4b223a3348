import AuxEngine
import AuxMTL
import AuxNN

/// The networks `auxmtl bench` trains (the same as `scripts/bench/torch_step.py`).
public enum BenchmarkModel: String, CaseIterable, Sendable {
  /// The reference CNN encoder (output stride 4) with light heads (conv3×3 128→64–BN–ReLU–conv1×1).
  case ref
  /// ResNet-18 dilated to output stride 8 with light heads (512→64).
  case resnet18
  /// ResNet-50 dilated to output stride 8 with DeepLab-v3 heads (ASPP 12/24/36, width 256,
  /// dropout 0.5).
  case resnet50
}

/// The dense tasks of the benchmark, assigned to heads in turn: segmentation (7 classes,
/// cross-entropy), depth (1 channel, L1) and surface normals (3 channels, 1 − cosine similarity).
public enum BenchmarkTaskKind: Int, CaseIterable, Sendable {
  case segmentation, depth, normals

  /// The kind of task `t` (cycling).
  public static func of(_ t: Int) -> BenchmarkTaskKind { BenchmarkTaskKind(rawValue: t % 3)! }

  /// The head's output channels.
  public var channels: Int {
    switch self {
    case .segmentation: 7
    case .depth: 1
    case .normals: 3
    }
  }

  /// A random target for an `[N, channels, size, size]` prediction.
  public func target(batch: Int, size: Int, using rng: inout RandomGenerator) -> Tensor {
    switch self {
    case .segmentation:
      var t = Tensor.uninitialized([batch, size, size])
      t.withUnsafeMutableBufferPointer { b in for i in 0..<b.count { b[i] = Float(rng.next() % 7) } }
      return t
    case .depth:
      return Initializers.uniform([batch, 1, size, size], low: 0, high: 1, using: &rng)
    case .normals:
      return Autograd.withoutGradients { Initializers.normal([batch, 3, size, size], using: &rng).normalized(axis: 1) }
    }
  }

  /// The task's loss of `prediction` against `target` (a scalar).
  public func loss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    switch self {
    case .segmentation: prediction.crossEntropy(target: target)
    case .depth: prediction.l1Loss(target)
    case .normals: 1 - prediction.cosineSimilarity(target, axis: 1).mean()
    }
  }
}

/// A benchmark model with fixed random data: one training batch and a second ("validation") batch
/// for methods that re-evaluate their losses.
public final class BenchmarkProblem {
  /// The network.
  public let model: MultiTaskModel
  /// Task 0 is primary, the others auxiliary.
  public let tasks: [TaskInfo]
  /// Each task's kind, in task order.
  public let kinds: [BenchmarkTaskKind]
  /// The training batch, `[batch, 3, size, size]`.
  public let input: Tensor
  /// Each task's targets for ``input``.
  public let targets: [Tensor]
  /// The second batch.
  public let validationInput: Tensor
  /// Each task's targets for ``validationInput``.
  public let validationTargets: [Tensor]

  /// Builds the model (initialised from `seed`) and the data.
  public init(model kind: BenchmarkModel, tasks count: Int, batch: Int, size: Int, seed: UInt64 = 0) {
    precondition(count >= 2, "BenchmarkProblem: needs at least 2 tasks (one primary, one auxiliary), got \(count)")
    precondition(batch >= 2, "BenchmarkProblem: batch norm in training mode needs a batch of at least 2, got \(batch)")
    var rng = RandomGenerator(seed: seed)
    kinds = (0..<count).map(BenchmarkTaskKind.of)
    let encoder: any Encoder
    switch kind {
    case .ref: encoder = ReferenceCNN(rng: &rng)
    case .resnet18: encoder = ResNet(.resnet18, outputStride: 8, rng: &rng)
    case .resnet50: encoder = ResNet(.resnet50, outputStride: 8, rng: &rng)
    }
    var heads: [(String, any TaskHead)] = []
    for (t, k) in kinds.enumerated() {
      let head: any TaskHead =
        kind == .resnet50
        ? DeepLabHead(encoder.featureChannels, k.channels, rng: &rng)
        : ConvHead(encoder.featureChannels, k.channels, hiddenChannels: 64, rng: &rng)
      heads.append(("\(k)\(t)", head))
    }
    model = MultiTaskModel(encoder: encoder, heads: heads)
    tasks = heads.enumerated().map { TaskInfo($1.0, role: $0 == 0 ? .primary : .auxiliary) }
    var data = RandomGenerator(seed: seed &+ 1)
    input = Initializers.normal([batch, 3, size, size], using: &data)
    targets = kinds.map { $0.target(batch: batch, size: size, using: &data) }
    validationInput = Initializers.normal([batch, 3, size, size], using: &data)
    validationTargets = kinds.map { $0.target(batch: batch, size: size, using: &data) }
  }

  /// Each task's loss of `outputs` against the training (or validation) targets.
  public func losses(_ outputs: [Tensor], validation: Bool = false) -> [Tensor] {
    let ys = validation ? validationTargets : targets
    return kinds.indices.map { t in kinds[t].loss(outputs[t], ys[t]) }
  }

  /// The losses of an ordinary forward pass (for methods that re-evaluate them).
  public func plainLosses(validation: Bool = false) -> [Tensor] {
    losses(model(validation ? validationInput : input).outputs, validation: validation)
  }
}
