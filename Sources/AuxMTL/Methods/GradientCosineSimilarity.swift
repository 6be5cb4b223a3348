import AuxEngine
import AuxNN

/// GCS, gradient cosine similarity: Du, Czarnecki, Jayakumar, Farajtabar, Pascanu,
/// Lakshminarayanan, "Adapting Auxiliary Losses Using Gradient Similarity", arXiv 1812.02224
///. An auxiliary-learning method.
///
/// With `g_P` the gradient of the primary objective (the sum of the primary losses) and `g_a`
/// each auxiliary gradient, the shared parameters receive
/// - `hard` (default; the version IAL describes and AuxiLearn's `GradCosine` implements):
///   `g_P + Σ_a 1[cos(g_P, g_a) > 0] g_a`;
/// - `weighted`: `g_P + Σ_a max(0, cos(g_P, g_a)) g_a`;
///
/// and the task heads the gradient of `Σ_t L_t` (type B, as AuxiLearn). Everything follows from
/// the Gramian: `⟨g_P, g_a⟩ = Σ_{p∈P} K_pa`, `‖g_P‖² = Σ_{p,p'∈P} K_pp'`.
///
/// Option `level`: `parameters` (default, the paper and AuxiLearn) or `representation`.
///
/// Reported: `weight/<task>` = 1 for primaries and the indicator (or clipped cosine) for
/// auxiliaries, `cosine/<aux>`. When `g_P` or `g_a` is zero the cosine is taken as 0 (the
/// auxiliary is not added), with a note.
public final class GradientCosineSimilarity: WeightingMethod {
  /// The registry entry of `gcs`.
  public static let descriptor = MethodDescriptor(
    name: "gcs", title: "GCS (gradient cosine similarity)",
    reference: "Du, Czarnecki, Jayakumar, Farajtabar, Pascanu, Lakshminarayanan. Adapting Auxiliary Losses Using Gradient Similarity. arXiv 1812.02224, 2018. Convention: AuxiLearn GradCosine (hard gate, heads get ∇ΣL); primary gradient = gradient of the summed primary losses.",
    summary: "Adds an auxiliary gradient to the primary gradient only where (hard) or as much as (weighted) it points the same way.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [
      OptionSpec("variant", default: "hard", "hard: add g_a when cos > 0; weighted: add max(0, cos)·g_a", allowed: ["hard", "weighted"]),
      GradientMethodSupport.levelOption(default: .parameters),
    ],
    auxiliaryOnly: true,
    make: { ctx in try GradientCosineSimilarity(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// Whether the `variant` option is `weighted` (else `hard`).
  public let weighted: Bool
  /// Where the task gradients are taken (`level` option).
  public let level: GradientLevel
  /// The descriptor's requirements, with parameter-level task gradients only at that level.
  public var requirements: MethodRequirements { GradientMethodSupport.requirements(descriptor.requirements, level: level) }

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    weighted = try o.string("variant") == "weighted"
    level = try GradientMethodSupport.level(&o)
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, k) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: level)
    let weights = Self.weights(gramian: k, tasks: tasks, weighted: weighted)
    try step.applySharedGradient(g.combine(weights.weights), level: level)
    var report = StepReport()
    report.set("weight", weights.weights.map(Float.init), tasks: tasks)
    for (a, c) in weights.cosines { report.values["cosine/\(tasks[a].name)"] = Float(c) }
    if weights.undefined { report.notes.append("a primary or auxiliary gradient is zero; its cosine is taken as 0") }
    return report
  }

  /// The weights of the shared gradient for a Gramian (1 for primaries, the gate or clipped
  /// cosine for auxiliaries), the cosine per auxiliary task, and whether a cosine was undefined
  /// (zero gradient).
  public static func weights(gramian k: [[Double]], tasks: [TaskInfo], weighted: Bool) -> (weights: [Double], cosines: [(Int, Double)], undefined: Bool) {
    let primaries = tasks.primaryIndices
    var w = [Double](repeating: 0, count: tasks.count)
    for p in primaries { w[p] = 1 }
    var normP2 = 0.0
    for p in primaries { for q in primaries { normP2 += k[p][q] } }
    var cosines = [(Int, Double)]()
    var undefined = false
    for a in tasks.auxiliaryIndices {
      let dot = primaries.reduce(0) { $0 + k[$1][a] }
      let denominator = (max(normP2, 0) * max(k[a][a], 0)).squareRoot()
      var c = 0.0
      if denominator > 0 {
        c = min(max(dot / denominator, -1), 1)
      } else {
        undefined = true
      }
      cosines.append((a, c))
      w[a] = weighted ? max(0, c) : (c > 0 ? 1 : 0)
    }
    return (w, cosines, undefined)
  }
}
