import AuxEngine
import AuxNN

/// OL-AUX, online learning of auxiliary task weights: Lin, Baweja, Kantor, Held, "Adaptive
/// Auxiliary Task Weighting for Reinforcement Learning", NeurIPS 2019.
///
/// The network is trained on `Σ_{p∈P} ℓ_p + Σ_a w_a ℓ_a` (type (A)) with auxiliary weights `w_a`
/// (initial 1) that follow the first-order change of the primary loss: at every step the method
/// accumulates `α ⟨∇ℓ_P, ∇ℓ_a⟩` (α = the network's current learning rate, the first parameter group's
/// of ``MTLStep/optimizer``; `ℓ_P = Σ_p ℓ_p` over the primary tasks), and every `N` steps, in
/// ``afterOptimizerStep(_:)``,
///
///     w_a ← w_a + β · Σ_{last N steps} α ⟨∇ℓ_P, ∇ℓ_a⟩
///
/// (gradient descent with learning rate β on the predicted change `−α Σ ⟨∇ℓ_P, ∇ℓ_a⟩` of the primary
/// loss), then clears the sum. Defaults (spec): N = 5, β = 5, gradients with respect to the shared
/// features `z` (the whole batch tensor, flattened, as IAL's own OL-AUX baseline does), raw losses
/// `ℓ_t = L_t`. `log_losses = true` uses `ℓ_t = log(L_t + 10⁻⁸)` as IAL's implementation does;
/// `relu_weights = true` trains with `max(w_a, 0)` (its `constrained_weights`). IAL's code updates
/// after N + 1 steps (a counter off by one); we update every N steps as the spec says.
///
/// The dot products need each task's own feature gradient `∂ℓ_t/∂z`: the decoder pass of the
/// weighted objective gives `c_t ∂ℓ_t/∂z`, divided by `c_t`; an auxiliary task whose weight is
/// exactly 0 gets one extra decoder pass of its own loss. `weight/<task>` reports the coefficient
/// of `∇L_t` (`c_t`, or `c_t / (L_t + ε)` with log-losses); `aux_weight/<task>` reports `w_a`,
/// `dot/<task>` this step's `⟨∇ℓ_P, ∇ℓ_a⟩`.
public final class OnlineAuxiliaryLearning: WeightingMethod {
  static let epsilon: Float = 1e-8

  public static let descriptor = MethodDescriptor(
    name: "ol-aux", title: "OL-AUX",
    reference: "Lin, Baweja, Kantor, Held. Adaptive Auxiliary Task Weighting for Reinforcement Learning. NeurIPS 2019. Convention: representation-level dot products as in IAL's olaux.py, N = 5, β = 5, raw losses by default, update every N steps.",
    summary: "Moves each auxiliary weight along the accumulated dot product of its feature gradient with the primary's, every N steps.",
    kind: .lossWeighting, requirements: [.losses, .featureGradients, .optimizer],
    options: [
      OptionSpec("n", default: "5", "number of steps between weight updates"),
      OptionSpec("beta", default: "5", "learning rate β of the weights"),
      OptionSpec("log_losses", default: "false", "weight and differentiate log(L + 1e-8) instead of L (IAL code)", allowed: ["true", "false"]),
      OptionSpec("relu_weights", default: "false", "train with max(w, 0) (IAL code's constrained_weights)", allowed: ["true", "false"]),
    ],
    auxiliaryOnly: true,
    make: { ctx in try OnlineAuxiliaryLearning(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  public let interval: Int
  public let beta: Double
  public let logLosses: Bool
  public let reluWeights: Bool
  /// The auxiliary weights `w_a`, in the order of `tasks.auxiliaryIndices`.
  public private(set) var auxiliaryWeights: [Float]
  /// `Σ α ⟨∇ℓ_P, ∇ℓ_a⟩` since the last update, and the number of steps it covers.
  public private(set) var accumulated: [Double]
  public private(set) var accumulatedSteps = 0

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    interval = try o.int("n", range: 1...1_000_000)
    beta = try o.double("beta", range: -1e6...1e6)
    logLosses = try o.bool("log_losses")
    reluWeights = try o.bool("relu_weights")
    resolvedOptions = o.resolved
    auxiliaryWeights = [Float](repeating: 1, count: ctx.tasks.auxiliaryIndices.count)
    accumulated = [Double](repeating: 0, count: ctx.tasks.auxiliaryIndices.count)
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    let shared = try step.requireShared("ol-aux")
    guard let lr = step.optimizer?.groups.first?.learningRate else {
      throw MTLStepError("ol-aux: needs the network's optimiser (`optimizer:` in the step) for its learning rate α")
    }
    let primaries = tasks.primaryIndices
    let auxiliaries = tasks.auxiliaryIndices
    let losses = step.lossValues
    if logLosses {
      for (t, l) in losses.enumerated() where !(l + Self.epsilon > 0) {
        throw MTLStepError("ol-aux: the loss of task '\(tasks[t].name)' is \(l); log_losses needs non-negative losses")
      }
    }
    let objectives = (0..<tasks.count).map { t in logLosses ? (step.scalarLoss(t) + Self.epsilon).log() : step.scalarLoss(t) }
    var coefficient = [Float](repeating: 1, count: tasks.count)
    for (k, a) in auxiliaries.enumerated() { coefficient[a] = reluWeights ? max(auxiliaryWeights[k], 0) : auxiliaryWeights[k] }

    // Tasks with weight 0 contribute nothing to the weighted pass: take their gradients first.
    var raw = [Tensor?](repeating: nil, count: tasks.count)
    for t in 0..<tasks.count where coefficient[t] == 0 {
      raw[t] = objectives[t].requiresGrad
        ? Autograd.gradients(of: [objectives[t]], wrt: [shared.aliases[t]], retainGraph: true)[0] ?? Tensor.zeros(shared.aliases[t].shape)
        : Tensor.zeros(shared.aliases[t].shape)
    }
    var objective: Tensor? = nil
    for t in 0..<tasks.count where coefficient[t] != 0 {
      let term = objectives[t] * coefficient[t]
      objective = objective.map { $0 + term } ?? term
    }
    let h: [Tensor]
    if let objective {
      h = try step.backwardLossObjective(objective)
    } else {
      h = shared.aliases.map { Tensor.zeros($0.shape) }
    }
    for t in 0..<tasks.count where raw[t] == nil { raw[t] = h[t] * (1 / coefficient[t]) }

    let primaryGradient = FeatureMath.sum(primaries.map { raw[$0]! })
    var report = StepReport()
    for (k, a) in auxiliaries.enumerated() {
      let dot = FeatureMath.dot(primaryGradient, raw[a]!)
      accumulated[k] += Double(lr) * dot
      report.values["dot/\(tasks[a].name)"] = Float(dot)
      report.values["aux_weight/\(tasks[a].name)"] = auxiliaryWeights[k]
    }
    accumulatedSteps += 1
    report.set("weight", (0..<tasks.count).map { logLosses ? coefficient[$0] / (losses[$0] + Self.epsilon) : coefficient[$0] }, tasks: tasks)
    return report
  }

  /// Every `n` steps: `w_a ← w_a + β Σ α ⟨∇ℓ_P, ∇ℓ_a⟩`, then clears the sum.
  public func afterOptimizerStep(_ step: MTLStep) throws {
    guard accumulatedSteps >= interval else { return }
    for k in auxiliaryWeights.indices {
      auxiliaryWeights[k] = Float(Double(auxiliaryWeights[k]) + beta * accumulated[k])
      accumulated[k] = 0
    }
    accumulatedSteps = 0
  }

  public func stateDict() -> [String: Tensor] {
    [
      "aux_weights": Tensor(auxiliaryWeights),
      "accumulated": ExactStateCoding.encode(doubles: accumulated),
      "accumulated_steps": ExactStateCoding.encode(count: accumulatedSteps),
    ]
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let n = tasks.auxiliaryIndices.count
    let w = try state.required("aux_weights", count: n).scalars
    let a = try ExactStateCoding.decodeDoubles(try state.required("accumulated"), key: "accumulated", expectedCount: n)
    let c = try ExactStateCoding.decodeCount(try state.required("accumulated_steps"), key: "accumulated_steps")
    auxiliaryWeights = w
    accumulated = a
    accumulatedSteps = c
  }
}
