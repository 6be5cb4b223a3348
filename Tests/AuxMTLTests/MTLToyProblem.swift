import AuxEngine
import AuxMTL
import AuxNN

/// A small multi-task problem for method tests: the "encoder output" is a trainable tensor `E`
/// itself (`z = E · 1`), so `E.grad` is exactly the combined feature gradient a method sends into
/// the encoder; each task has a linear head and a squared-error loss against a fixed target.
final class MTLToyProblem {
  let tasks: [TaskInfo]
  let encoder: Parameter  // z = E
  let heads: [Linear]
  let targets: [Tensor]
  var lossScales: [Float]

  init(tasks: [TaskInfo], batch: Int = 4, features: Int = 6, outputs: Int = 3, seed: UInt64 = 1) {
    var rng = RandomGenerator(seed: seed)
    self.tasks = tasks
    encoder = Parameter(Initializers.normal([batch, features], using: &rng))
    heads = tasks.map { _ in Linear(features, outputs, rng: &rng) }
    targets = tasks.map { _ in Initializers.normal([batch, outputs], using: &rng) }
    lossScales = [Float](repeating: 1, count: tasks.count)
  }

  var taskParameters: [[Parameter]] { heads.map { $0.parameters() } }

  func zeroGrad() {
    encoder.zeroGrad()
    for h in heads { h.zeroGrad() }
  }

  /// Builds a step: forward through the heads on per-task aliases.
  func makeStep(optimizer: (any Optimizer)? = nil, epoch: Int = 0) throws -> MTLStep {
    let z = encoder.value * 1
    let shared = SharedFeatures(z, taskCount: tasks.count)
    let losses = tasks.indices.map { t in (heads[t](shared[t]) - targets[t]).pow(2).mean() * lossScales[t] }
    return try MTLStep(
      tasks: tasks, losses: losses, shared: shared, sharedParameters: [encoder],
      taskParameters: taskParameters, epoch: epoch, optimizer: optimizer)
  }

  /// Each task's raw feature gradient ∂L_t/∂z, computed directly with autograd.
  func rawFeatureGradients() -> [Tensor] {
    tasks.indices.map { t in
      let z = encoder.value.detached().requiringGrad()
      let loss = (heads[t](z) - targets[t]).pow(2).mean() * lossScales[t]
      return Autograd.gradient(of: loss, wrt: z)!
    }
  }

  /// Each task's raw loss value.
  func lossValues() -> [Float] {
    Autograd.withoutGradients {
      tasks.indices.map { t in ((heads[t](encoder.value) - targets[t]).pow(2).mean() * lossScales[t]).item }
    }
  }

  /// Each head's parameter gradients of its raw loss, computed directly.
  func rawHeadGradients(_ t: Int) -> [Tensor] {
    let params = heads[t].parameters().map(\.value)
    let loss = (heads[t](encoder.value.detached()) - targets[t]).pow(2).mean() * lossScales[t]
    return Autograd.gradients(of: [loss], wrt: params).map { $0! }
  }
}

func norm(_ t: Tensor) -> Double { t.scalars.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }
func maxAbsDiff(_ a: Tensor, _ b: Tensor) -> Double {
  zip(a.scalars, b.scalars).map { Double(abs($0 - $1)) }.max() ?? 0
}
