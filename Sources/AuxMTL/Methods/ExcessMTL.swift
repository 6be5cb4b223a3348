import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// ExcessMTL: He, Zhou, Zhao, "Robust Multi-Task Learning with Excess Risks", ICML 2024;
/// conventions of the authors' LibMTL port (`LibMTL/weighting/ExcessMTL.py`).
///
/// Each task's excess risk is estimated from its shared-parameter gradient `g_t` with an
/// AdaGrad-style diagonal Hessian: `S_t ← S_t + g_t²` (element-wise, summed over the run),
/// `E_t = Σ_i g_{t,i}² / √(S_{t,i} + 10⁻⁷)`. The first step's `E` is kept as the scale `E⁰` and the
/// weights stay 1; afterwards the weights take an exponentiated-gradient step on the relative
/// excess risks, `λ_t ← λ_t · exp(η E_t / E⁰_t)`, renormalised to sum to T (computed in log space,
/// which is the same update without overflow). The network is trained on `Σ_t λ_t L_t` (type A:
/// the heads get `λ_t` too).
///
/// Option `robust_step_size` η (0.01, LibMTL's default). Parameter level only: the accumulated
/// `S` has one entry per shared parameter (the representation's size changes with the batch).
///
/// State: `S` (T × D Floats, the reference's float32 accumulation), `E⁰`, `λ`, stored exactly.
/// A task whose first-step excess risk was 0 (a zero gradient) has no scale: its relative excess
/// risk is taken as 0 (its weight only moves through the normalisation), with a note — the
/// reference divides by zero there.
///
/// Reported: `weight/<task>` = `λ_t`, `excess_risk/<task>` = `E_t`.
public final class ExcessMTL: WeightingMethod {
  /// The registry entry of `excess-mtl`.
  public static let descriptor = MethodDescriptor(
    name: "excess-mtl", title: "ExcessMTL (robust MTL with excess risks)",
    reference: "He, Zhou, Zhao. Robust Multi-Task Learning with Excess Risks. ICML 2024. Convention: the authors' LibMTL ExcessMTL (AdaGrad diagonal Hessian summed over the run, first step as the scale, exponentiated update with η = 0.01, weights summing to T, parameter level).",
    summary: "Raises the weights of tasks whose estimated excess risk (distance from their optimum) is large, by exponentiated-gradient steps.",
    kind: .lossWeighting, requirements: [.losses, .featureGradients, .parameterGradients, .taskParameters],
    options: [OptionSpec("robust_step_size", default: "0.01", "step size η of the exponentiated weight update")],
    make: { ctx in try ExcessMTL(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The step size η.
  public let stepSize: Double
  /// The task weights λ (sum T).
  public private(set) var weights: [Double]
  /// The accumulated squared gradients `S` ([T, D]), nil before the first step.
  public private(set) var squaredGradientSum: Tensor?
  /// The first step's excess risks `E⁰`, nil before the first step.
  public private(set) var initialExcessRisk: [Double]?

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    stepSize = try o.double("robust_step_size", range: 0...1e6)
    resolvedOptions = o.resolved
    weights = [Double](repeating: 1, count: ctx.tasks.count)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let name = descriptor.name
    _ = try step.requireTaskParameters(name)
    let (g, _) = try GradientMethodSupport.taskGradients(step, method: name, level: .parameters)
    let n = tasks.count
    let d = g.dimension
    var s = squaredGradientSum ?? Tensor.zeros([n, d])
    guard s.shape == [n, d] else {
      throw MTLStepError("excess-mtl: the saved squared-gradient sum has shape \(s.shape) but the shared parameters have \(d) elements")
    }
    var excess = [Double](repeating: 0, count: n)
    g.matrix.withUnsafeBufferPointer { gp in
      s.withUnsafeMutableBufferPointer { sp in
        for t in 0..<n {
          var e = 0.0
          for i in (t * d)..<((t + 1) * d) {
            let sq = gp[i] * gp[i]
            sp[i] += sq
            e += Double(sq) / Double((sp[i] + 1e-7).squareRoot())
          }
          excess[t] = e
        }
      }
    }
    squaredGradientSum = s
    var report = StepReport()
    if let e0 = initialExcessRisk {
      var logits = (0..<n).map { t -> Double in
        let relative = e0[t] > 0 ? excess[t] / e0[t] : 0
        return log(weights[t]) + stepSize * relative
      }
      let m = logits.max()!
      logits = logits.map { exp($0 - m) }
      let total = logits.reduce(0, +)
      weights = logits.map { Double(n) * $0 / total }
      let unscaled = (0..<n).filter { !(e0[$0] > 0) }
      if !unscaled.isEmpty {
        report.notes.append("no excess-risk scale for \(unscaled.map { "'\(tasks[$0].name)'" }.joined(separator: ", ")) (zero gradient at the first step): relative excess risk taken as 0")
      }
    } else {
      initialExcessRisk = excess
    }
    for t in 0..<n { try step.scaleTaskParameterGradients(t, by: Float(weights[t])) }
    try step.applySharedGradient(g.combine(weights), level: .parameters)
    report.set("weight", weights.map(Float.init), tasks: tasks)
    report.set("excess_risk", excess.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = ["weights": ExactStateCoding.encode(doubles: weights)]
    if let s = squaredGradientSum { out["squared_gradient_sum"] = s }
    if let e = initialExcessRisk { out["initial_excess_risk"] = ExactStateCoding.encode(doubles: e) }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let n = tasks.count
    guard let wt = state["weights"] else {
      throw MTLStepError("excess-mtl state: expected 'weights' (\(n) doubles) as an exact encoding")
    }
    let w = try ExactStateCoding.decodeDoubles(wt, key: "weights", expectedCount: n)
    let e = try state["initial_excess_risk"].map { try ExactStateCoding.decodeDoubles($0, key: "initial_excess_risk", expectedCount: n) }
    let s = state["squared_gradient_sum"]
    if let s, s.rank != 2 || s.shape[0] != n {
      throw MTLStepError("excess-mtl state: 'squared_gradient_sum' has shape \(s.shape), expected [\(n), D]")
    }
    weights = w
    initialExcessRisk = e
    squaredGradientSum = s
  }
}
