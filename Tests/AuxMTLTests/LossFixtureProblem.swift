import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import AuxTestSupport
import Testing

/// The three-task problem of `scripts/fixtures/mtl_loss_methods.py`, with its reference values:
/// `z = tanh(Linear(4, 6)(x))`, one `Linear(6, 3)` head per task, mean squared error; task "a" is
/// primary, "b" and "c" auxiliary. Steps run the heads on ``SharedFeatures`` aliases; the
/// evaluator's closures run ordinary forward passes.
final class LossFixtureProblem {
  static let tasks = [TaskInfo("a", role: .primary), TaskInfo("b", role: .auxiliary), TaskInfo("c", role: .auxiliary)]
  let archive: SafetensorsArchive
  let encoder: Linear
  let heads: [Linear]
  let x: Tensor
  let xVal: Tensor
  let y: [Tensor]
  let yVal: [Tensor]

  /// The problem with the starting values and data of `fixture` (`mtl_loss_methods`, or
  /// `auto_lambda_look_ahead`, which stores the same keys).
  init(fixture: String = "mtl_loss_methods") throws {
    let a = try Fixtures.load(fixture)
    archive = a
    var rng = RandomGenerator(seed: 0)
    encoder = Linear(4, 6, rng: &rng)
    heads = (0..<3).map { _ in Linear(6, 3, rng: &rng) }
    x = try a.tensor("x")
    xVal = try a.tensor("x_val")
    y = try (0..<3).map { try a.tensor("y\($0)") }
    yVal = try (0..<3).map { try a.tensor("y_val\($0)") }
    for (name, p) in named { p.assign(try archive.tensor(name)) }
  }

  /// The parameters under the fixture's names.
  var named: [(String, Parameter)] {
    var out: [(String, Parameter)] = [("enc.weight", encoder.weight), ("enc.bias", encoder.bias!)]
    for (t, h) in heads.enumerated() { out += [("head\(t).weight", h.weight), ("head\(t).bias", h.bias!)] }
    return out
  }

  func expected(_ key: String) throws -> Tensor { try archive.tensor(key) }

  /// The losses of an ordinary forward pass, in the task order `order` (indices into ``tasks``).
  func lossesPlain(validation: Bool = false, order: [Int] = [0, 1, 2]) -> [Tensor] {
    let z = encoder(validation ? xVal : x).tanh()
    return order.map { t in (heads[t](z) - (validation ? yVal : y)[t]).pow(2).mean() }
  }

  /// How a step's losses are made: the fixture's regression, zero losses (targets equal to the
  /// predictions), or constant non-zero losses that do not depend on the features.
  enum LossKind { case regression, zero, constant }

  /// A step on the training batch, with its tasks in the order `order` (indices into ``tasks``).
  func makeStep(
    optimizer: (any Optimizer)? = nil, epoch: Int = 0, iteration: Int = 0, evaluator: Bool = true,
    order: [Int] = [0, 1, 2], kind: LossKind = .regression
  ) throws -> MTLStep {
    let shared = SharedFeatures(encoder(x).tanh(), taskCount: 3)
    let losses = order.enumerated().map { k, t -> Tensor in
      let prediction = heads[t](shared[k])
      switch kind {
      case .regression: return (prediction - y[t]).pow(2).mean()
      case .zero: return (prediction - prediction.detached()).pow(2).mean()
      case .constant: return (prediction * 0).sum() + Float(t + 1) * 0.25
      }
    }
    let ev = LossEvaluator(
      trainingLosses: { [unowned self] in self.lossesPlain(order: order) },
      validationLosses: { [unowned self] in self.lossesPlain(validation: true, order: order) })
    return try MTLStep(
      tasks: order.map { Self.tasks[$0] }, losses: losses, shared: shared, sharedParameters: encoder.parameters(),
      taskParameters: order.map { heads[$0].parameters() }, lastSharedParameters: [encoder.weight], epoch: epoch,
      iteration: iteration, optimizer: optimizer, evaluator: evaluator ? ev : nil)
  }

  /// The model split of ``makeStep(optimizer:epoch:iteration:evaluator:order:kind:)``, for a
  /// ``StepDriver``.
  func split(order: [Int] = [0, 1, 2]) -> ModelSplit {
    ModelSplit(sharedParameters: encoder.parameters(), taskParameters: order.map { heads[$0].parameters() }, lastSharedParameters: [encoder.weight])
  }

  /// The training batch of ``makeStep(optimizer:epoch:iteration:evaluator:order:kind:)``, for a
  /// ``StepDriver``.
  func batch(order: [Int] = [0, 1, 2], kind: LossKind = .regression) -> StepBatch {
    StepBatch(
      encode: { [unowned self] in self.encoder(self.x).tanh() },
      losses: { [unowned self] shared in
        order.enumerated().map { k, t -> Tensor in
          let prediction = self.heads[t](shared[k])
          switch kind {
          case .regression: return (prediction - self.y[t]).pow(2).mean()
          case .zero: return (prediction - prediction.detached()).pow(2).mean()
          case .constant: return (prediction * 0).sum() + Float(t + 1) * 0.25
          }
        }
      },
      evaluator: LossEvaluator(
        trainingLosses: { [unowned self] in self.lossesPlain(order: order) },
        validationLosses: { [unowned self] in self.lossesPlain(validation: true, order: order) }))
  }

  /// A driver for `method` over this problem (tasks in the order `order`).
  func driver(_ method: any WeightingMethod, optimizer: any Optimizer, order: [Int] = [0, 1, 2]) throws -> StepDriver {
    try StepDriver(tasks: order.map { Self.tasks[$0] }, model: split(order: order), method: method, optimizer: optimizer)
  }

  /// Plain SGD over all model parameters (one group named as in the fixture), plus extra groups.
  func sgd(lr: Float, momentum: Float = 0, weightDecay: Float = 0, extra: [ParameterGroup] = []) -> SGD {
    SGD([ParameterGroup(name: "model", parameters: named.map { (name: $0.0, parameter: $0.1) }, learningRate: lr, weightDecay: weightDecay)] + extra, momentum: momentum)
  }

  func zeroGrad() { for (_, p) in named { p.zeroGrad() } }

  /// Every parameter's gradient against `<prefix>.grad.<name>`.
  func expectGradients(_ prefix: String, rtol: Float = 1e-4, atol: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for (name, p) in named {
      let e = try expected("\(prefix).grad.\(name)")
      guard let g = p.grad else {
        Issue.record("\(prefix): \(name) has no gradient", sourceLocation: sourceLocation)
        continue
      }
      let m = Closeness.mismatch(g, e, rtol: rtol, atol: atol)
      #expect(m == nil, "\(prefix) \(name): \(m ?? "")", sourceLocation: sourceLocation)
    }
  }

  /// Every parameter's value against `<prefix>.<name>`.
  func expectParameters(_ prefix: String, rtol: Float = 1e-4, atol: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for (name, p) in named {
      let m = Closeness.mismatch(p.value, try expected("\(prefix).\(name)"), rtol: rtol, atol: atol)
      #expect(m == nil, "\(prefix) \(name): \(m ?? "")", sourceLocation: sourceLocation)
    }
  }
}

/// `actual` against a fixture tensor.
func expectClose(_ actual: [Float], _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-6, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let m = Closeness.mismatch(Tensor(actual), expected.reshaped([expected.count]), rtol: rtol, atol: atol)
  #expect(m == nil, "\(what): \(m ?? "")", sourceLocation: sourceLocation)
}

extension StepReport {
  /// `key/<task>` for every task, in order.
  func perTask(_ key: String, _ tasks: [TaskInfo] = LossFixtureProblem.tasks) -> [Float] {
    tasks.map { values["\(key)/\($0.name)"] ?? .nan }
  }
}
