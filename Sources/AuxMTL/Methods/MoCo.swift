import AuxEngine
import AuxNN

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// MoCo: Fernando, Shen, Liu, Chaudhury, Murugesan, Chen, "Mitigating Gradient Bias in
/// Multi-objective Learning: A Provably Convergent Approach", ICLR 2023; conventions of LibMTL's
/// `MoCo` (from the authors' code).
///
/// At step k (1-based), with per-task shared-parameter gradients `g_t`:
///
///     ĝ_t = L_t · g_t / (‖g_t‖ + 10⁻⁸)                           (loss-scaled unit gradients)
///     y ← y − β k^{−σ_β} (y − ĝ)                                  (tracking of the gradients)
///     λ ← softmax(λ − γ k^{−σ_γ} (y yᵀ + ρ I) λ)                  (task weights)
///
/// and the shared parameters receive `yᵀ λ`; the heads receive the gradient of `Σ_t L_t`
/// (type B). `y` starts at zero, `λ` at `1/T`.
///
/// Options (LibMTL's defaults): `beta` 0.5, `beta_sigma` 0.5, `gamma` 0.1, `gamma_sigma` 0.5,
/// `rho` 0. Parameter level only (`y` has one entry per shared parameter).
///
/// State: `y` ([T, D] Floats), `λ` and the step count, exactly. Reported: `weight/<task>` = `λ_t`
/// (the shared gradient is `yᵀλ`, so `λ_t` weighs the tracked, not the current, gradient).
public final class MoCo: WeightingMethod {
  /// The registry entry of `moco`.
  public static let descriptor = MethodDescriptor(
    name: "moco", title: "MoCo (multi-objective correction)",
    reference: "Fernando, Shen, Liu, Chaudhury, Murugesan, Chen. Mitigating Gradient Bias in Multi-objective Learning: A Provably Convergent Approach. ICLR 2023. Convention: LibMTL MoCo (loss-scaled unit gradients, β = 0.5, γ = 0.1, decay exponents 0.5, ρ = 0, parameter level).",
    summary: "Tracks each task's gradient with a moving estimate and weights the estimates by softmax weights that descend the estimates' Gramian.",
    kind: .gradientAggregation, requirements: [.losses, .featureGradients, .parameterGradients],
    options: [
      OptionSpec("beta", default: "0.5", "step size β of the gradient tracking"),
      OptionSpec("beta_sigma", default: "0.5", "decay exponent σ_β of β (β k^(−σ_β) at step k)"),
      OptionSpec("gamma", default: "0.1", "step size γ of the weights"),
      OptionSpec("gamma_sigma", default: "0.5", "decay exponent σ_γ of γ"),
      OptionSpec("rho", default: "0", "ℓ2 regularisation ρ of the weights' update"),
    ],
    make: { ctx in try MoCo(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let beta: Double
  public let betaSigma: Double
  public let gamma: Double
  public let gammaSigma: Double
  public let rho: Double
  /// Steps taken.
  public private(set) var stepCount = 0
  /// The tracked gradients `y` ([T, D]), nil before the first step.
  public private(set) var tracked: Tensor?
  /// The weights λ.
  public private(set) var lambda: [Double]

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    beta = try o.double("beta", range: 0...1e6)
    betaSigma = try o.double("beta_sigma", range: 0...1e3)
    gamma = try o.double("gamma", range: 0...1e6)
    gammaSigma = try o.double("gamma_sigma", range: 0...1e3)
    rho = try o.double("rho", range: 0...1e6)
    resolvedOptions = o.resolved
    lambda = [Double](repeating: 1 / Double(ctx.tasks.count), count: ctx.tasks.count)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let (g, _) = try GradientMethodSupport.taskGradients(step, method: descriptor.name, level: .parameters)
    let n = tasks.count
    let d = g.dimension
    var y = tracked ?? Tensor.zeros([n, d])
    guard y.shape == [n, d] else {
      throw MTLStepError("moco: the saved tracked gradients have shape \(y.shape) but the shared parameters have \(d) elements")
    }
    stepCount += 1
    let k = Double(stepCount)
    let b = Float(beta / pow(k, betaSigma))
    let norms = g.norms()
    let losses = step.lossValues
    g.matrix.withUnsafeBufferPointer { gp in
      y.withUnsafeMutableBufferPointer { yp in
        for t in 0..<n {
          let scale = losses[t] / (Float(norms[t]) + 1e-8)
          for i in (t * d)..<((t + 1) * d) { yp[i] -= b * (yp[i] - gp[i] * scale) }
        }
      }
    }
    tracked = y
    let yg = TaskGradients(level: .parameters, matrix: y)
    var kyy = yg.gramian()
    try GradientMethodSupport.checkFinite(kyy, method: descriptor.name, tasks: tasks)
    for t in 0..<n { kyy[t][t] += rho }
    let c = gamma / pow(k, gammaSigma)
    let moved = SymmetricMatrix.multiply(kyy, lambda)
    let logits = (0..<n).map { lambda[$0] - c * moved[$0] }
    let m = logits.max()!
    let e = logits.map { exp($0 - m) }
    let total = e.reduce(0, +)
    lambda = e.map { $0 / total }
    try step.applySharedGradient(yg.combine(lambda), level: .parameters)
    var report = StepReport()
    report.set("weight", lambda.map(Float.init), tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = [
      "step": ExactStateCoding.encode(count: stepCount), "lambda": ExactStateCoding.encode(doubles: lambda),
    ]
    if let y = tracked { out["tracked"] = y }
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let n = tasks.count
    guard let st = state["step"], let lt = state["lambda"] else {
      throw MTLStepError("moco state: expected 'step' (1 word) and 'lambda' (\(n) doubles) as exact encodings")
    }
    let s = try ExactStateCoding.decodeCount(st, key: "step")
    let l = try ExactStateCoding.decodeDoubles(lt, key: "lambda", expectedCount: n)
    let y = state["tracked"]
    if let y, y.rank != 2 || y.shape[0] != n {
      throw MTLStepError("moco state: 'tracked' has shape \(y.shape), expected [\(n), D]")
    }
    stepCount = s
    lambda = l
    tracked = y
  }
}
