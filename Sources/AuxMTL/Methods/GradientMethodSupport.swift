import AuxEngine
import AuxNN

/// Shared plumbing of the gradient-based weighting methods (MGDA, PCGrad, IMTL-G, CAGrad, …):
/// the decoder pass, the per-task gradients and their Gramian, and the checks every method makes.
enum GradientMethodSupport {
  /// The option spec of methods that can run at either gradient level.
  static func levelOption(default level: GradientLevel) -> OptionSpec {
    OptionSpec(
      "level", default: level.rawValue,
      "where per-task gradients are taken: representation (∂L_t/∂z, one encoder pass) or parameters (∂L_t/∂φ, T encoder passes)",
      allowed: GradientLevel.allCases.map(\.rawValue))
  }

  /// `base` with ``MethodRequirements/parameterGradients`` at the parameter level and without it
  /// at the representation level.
  static func requirements(_ base: MethodRequirements, level: GradientLevel) -> MethodRequirements {
    level == .parameters ? base.union(.parameterGradients) : base.subtracting(.parameterGradients)
  }

  /// Reads the `level` option.
  static func level(_ options: inout MethodOptions) throws -> GradientLevel {
    GradientLevel(rawValue: try options.string("level"))!
  }

  /// `Σ_t losses[t]` as a scalar.
  static func sum(_ losses: [Tensor]) -> Tensor {
    var total = losses[0].reshaped([])
    for l in losses.dropFirst() { total = total + l.reshaped([]) }
    return total
  }

  /// Runs the decoder pass of `objective` (default `Σ_t L_t`), then the per-task gradients at
  /// `level` and their Gramian; throws when the step lacks what the level needs or when a
  /// gradient is not finite.
  static func taskGradients(
    _ step: MTLStep, method: String, level: GradientLevel, objective: Tensor? = nil
  ) throws -> (gradients: TaskGradients, gramian: [[Double]]) {
    _ = try step.requireShared(method)
    if level == .parameters && step.sharedParameters.isEmpty {
      throw MTLStepError("\(method) at the parameter level needs the trainable shared parameters (`sharedParameters:`)")
    }
    let h = step.backwardDecoders(objective ?? sum(step.losses))
    let g = try step.taskGradients(level: level, featureGradients: h)
    let k = try step.gramian(g)
    try checkFinite(k, method: method, tasks: step.tasks)
    return (g, k)
  }

  /// Throws when the Gramian has a non-finite entry (a NaN or infinite loss or gradient).
  static func checkFinite(_ k: [[Double]], method: String, tasks: [TaskInfo]) throws {
    for (t, row) in k.enumerated() where !row.allSatisfy(\.isFinite) {
      throw MTLStepError("\(method): the gradient of task '\(tasks[t].name)' is not finite (NaN or infinite loss?)")
    }
  }

  /// Indices of tasks whose gradient is exactly zero (diagonal of the Gramian).
  static func zeroGradientTasks(_ k: [[Double]]) -> [Int] {
    k.indices.filter { !(k[$0][$0] > 0) }
  }

  /// A note naming the tasks with a zero gradient, or nil.
  static func zeroGradientNote(_ k: [[Double]], tasks: [TaskInfo], consequence: String) -> String? {
    let zero = zeroGradientTasks(k)
    guard !zero.isEmpty else { return nil }
    return "zero gradient for \(zero.map { "'\(tasks[$0].name)'" }.joined(separator: ", ")): \(consequence)"
  }
}
