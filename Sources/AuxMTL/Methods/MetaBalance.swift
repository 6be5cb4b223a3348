import AuxEngine
import AuxNN

/// MetaBalance: He, Feng, Cheng, Li, Luo, Wang, Li, Wu, "MetaBalance: Improving Multi-Task
/// Recommendations via Adapting Gradient Magnitudes of Auxiliary Tasks", WWW 2022; conventions of
/// the authors' PyTorch optimiser (`MetaBalance(relax_factor=0.7, beta=0.9)`, strategy C: adapt
/// auxiliary gradients in both directions).
///
/// For every shared parameter tensor `θ` separately, each loss's gradient norm is tracked by a
/// moving average `m ← β m + (1 − β) ‖∇_θ L‖` (starting at 0, no bias correction), and every
/// gradient is rescaled towards the target task's magnitude before they are summed:
///
///     ∇_θ L ← r · ∇_θ L · m_target / (m_L + 10⁻⁵) + (1 − r) · ∇_θ L
///
/// with the relax factor `r`. As in the reference this also applies to the target task itself
/// (a factor `m/(m + 10⁻⁵)`, just below 1). The target is the primary task; with several primary
/// tasks it is their summed loss `Σ_{p} L_p`, treated as one loss (the reference has one target).
/// The heads receive the gradient of `Σ_t L_t` (type B).
///
/// Options: `relax_factor` r (0.7), `beta` (0.9), the reference's defaults.
///
/// State: the moving averages (one per target/auxiliary loss and shared tensor), exactly.
/// Reported: `weight/<task>` = the task's scaling factor averaged over the shared tensors,
/// weighted by their sizes (each tensor has its own factor).
public final class MetaBalance: WeightingMethod {
  /// The registry entry of `metabalance`.
  public static let descriptor = MethodDescriptor(
    name: "metabalance", title: "MetaBalance (auxiliary gradient magnitudes)",
    reference: "He et al. MetaBalance: Improving Multi-Task Recommendations via Adapting Gradient Magnitudes of Auxiliary Tasks. WWW 2022. Convention: the authors' optimiser (per shared tensor, moving-average norms with β = 0.9, relax factor 0.7, the target's own factor m/(m + 1e-5)); several primaries form one target.",
    summary: "Rescales each auxiliary task's gradient, per shared layer, towards the primary task's gradient magnitude.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [
      OptionSpec("relax_factor", default: "0.7", "r in [0, 1): how far auxiliary magnitudes move to the primary's"),
      OptionSpec("beta", default: "0.9", "moving-average rate β of the gradient norms, in [0, 1)"),
    ],
    auxiliaryOnly: true, primaryAware: true,
    make: { ctx in try MetaBalance(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let relaxFactor: Double
  public let beta: Double
  /// Moving-average norms: row 0 the target (primary) loss, then one row per auxiliary task in
  /// ``TaskInfo`` order; one column per shared tensor. Nil before the first step.
  public private(set) var averages: [[Double]]?

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    relaxFactor = try o.double("relax_factor", range: 0...0.999_999)
    beta = try o.double("beta", range: 0...0.999_999)
    resolvedOptions = o.resolved
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, _) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: .parameters)
    let sizes = step.sharedParameters.map(\.value.count)
    let primaries = tasks.primaryIndices
    let auxiliaries = tasks.auxiliaryIndices
    let d = g.dimension
    var m = averages ?? [[Double]](repeating: [Double](repeating: 0, count: sizes.count), count: auxiliaries.count + 1)
    guard m.count == auxiliaries.count + 1, m.allSatisfy({ $0.count == sizes.count }) else {
      throw MTLStepError("metabalance: the saved moving averages are for \(m.first?.count ?? 0) shared tensors, the step has \(sizes.count)")
    }
    var out = Tensor.zeros([d])
    var factorSums = [Double](repeating: 0, count: tasks.count)
    g.matrix.withUnsafeBufferPointer { gp in
      out.withUnsafeMutableBufferPointer { op in
        var offset = 0
        for (s, size) in sizes.enumerated() {
          let range = offset..<(offset + size)
          // The target's gradient on this tensor: the sum of the primaries' rows.
          var target = 0.0
          for i in range {
            var v = 0.0
            for p in primaries { v += Double(gp[p * d + i]) }
            target += v * v
          }
          m[0][s] = beta * m[0][s] + (1 - beta) * target.squareRoot()
          for (row, a) in auxiliaries.enumerated() {
            var sq = 0.0
            for i in range { sq += Double(gp[a * d + i]) * Double(gp[a * d + i]) }
            m[row + 1][s] = beta * m[row + 1][s] + (1 - beta) * sq.squareRoot()
          }
          let mt = m[0][s]
          func factor(_ mx: Double) -> Double { relaxFactor * mt / (mx + 1e-5) + (1 - relaxFactor) }
          var coefficients = [Double](repeating: 0, count: tasks.count)
          for p in primaries { coefficients[p] = factor(mt) }
          for (row, a) in auxiliaries.enumerated() { coefficients[a] = factor(m[row + 1][s]) }
          for t in 0..<tasks.count {
            let c = Float(coefficients[t])
            for i in range { op[i] += c * gp[t * d + i] }
            factorSums[t] += coefficients[t] * Double(size)
          }
          offset += size
        }
      }
    }
    averages = m
    try step.applySharedGradient(out, level: .parameters)
    var report = StepReport()
    let total = Double(Swift.max(d, 1))
    report.set("weight", factorSums.map { Float($0 / total) }, tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    guard let m = averages else { return [:] }
    return ["averages": ExactStateCoding.encode(doubles: m.flatMap { $0 }), "tensors": ExactStateCoding.encode(count: m[0].count)]
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    guard let at = state["averages"], let ct = state["tensors"] else {
      guard state["averages"] == nil && state["tensors"] == nil else {
        throw MTLStepError("metabalance state: 'averages' and 'tensors' must be given together")
      }
      averages = nil
      return
    }
    let rows = tasks.auxiliaryIndices.count + 1
    let c = try ExactStateCoding.decodeCount(ct, key: "tensors")
    let flat = try ExactStateCoding.decodeDoubles(at, key: "averages", expectedCount: rows * c)
    averages = (0..<rows).map { Array(flat[($0 * c)..<(($0 + 1) * c)]) }
  }
}
