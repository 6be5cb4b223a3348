import AuxEngine
import AuxMTL
import AuxNN

/// A linear multi-task problem whose task gradients are given rows: the encoder is a parameter
/// `E` of shape `[1, D]`, the shared features are `z = E ⊙ 1`, and task t's loss is
/// `L_t = a_t ⟨z, j_t⟩ + c_t` with a scalar head `a_t = 1`. Then, at both gradient levels, task t's
/// gradient is exactly `j_t` (the feature gradient `∂L_t/∂z` and the parameter gradient
/// `∂L_t/∂E`), so a method's encoder gradient is its aggregate of the rows `Σ_t w_t j_t`.
final class JacobianProblem {
  let tasks: [TaskInfo]
  let rows: [[Float]]
  let encoder: Parameter
  let heads: [Parameter]
  let offsets: [Float]

  /// - Parameters:
  ///   - rows: the T task gradients, each of length D.
  ///   - features: the value of `z` (default: alternating ±1, so GradDrop sees both signs).
  ///   - primaries: how many leading tasks are primary (the rest auxiliary).
  init(rows: [[Float]], features: [Float]? = nil, primaries: Int = 1, offsets: [Float]? = nil) {
    let t = rows.count
    let d = rows[0].count
    precondition(rows.allSatisfy { $0.count == d }, "JacobianProblem: rows of different lengths")
    self.rows = rows
    tasks = (0..<t).map { TaskInfo("t\($0)", role: $0 < primaries ? .primary : .auxiliary) }
    encoder = Parameter(Tensor(shape: [1, d], scalars: features ?? (0..<d).map { $0 % 2 == 0 ? 1 : -1 }))
    heads = (0..<t).map { _ in Parameter(Tensor([1])) }
    self.offsets = offsets ?? [Float](repeating: 10, count: t)
  }

  func zeroGrad() {
    encoder.zeroGrad()
    for h in heads { h.zeroGrad() }
  }

  func makeStep(iteration: Int = 0) throws -> MTLStep {
    let d = rows[0].count
    let z = encoder.value * Tensor.ones([1, d])
    let shared = SharedFeatures(z, taskCount: tasks.count)
    let losses = tasks.indices.map { t in
      (shared[t] * Tensor(shape: [1, d], scalars: rows[t])).sum() * heads[t].value + offsets[t]
    }
    return try MTLStep(
      tasks: tasks, losses: losses, shared: shared, sharedParameters: [encoder], taskParameters: heads.map { [$0] },
      iteration: iteration)
  }

  /// Runs one step of `method` from zeroed gradients and returns the report.
  @discardableResult
  func run(_ method: any WeightingMethod, iteration: Int = 0) throws -> StepReport {
    zeroGrad()
    return try method.backward(makeStep(iteration: iteration))
  }

  /// The encoder's gradient after a step, in Double.
  var encoderGrad: [Double] { (encoder.grad?.scalars ?? [Float](repeating: 0, count: rows[0].count)).map(Double.init) }
  var headGrads: [Double] { heads.map { Double($0.grad?.scalars[0] ?? 0) } }
}
