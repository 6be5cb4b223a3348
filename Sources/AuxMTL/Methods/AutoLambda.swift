import AuxEngine
import AuxNN

/// Auto-Lambda: Liu, James, Davison, Johns, "Auto-Lambda: Disentangling Dynamic Task Relationships",
/// TMLR 2022, following `lorenmt/auto-lambda` (`auto_lambda.py`, `trainer_dense.py`).
///
/// Learnable task weights `λ` (initial 0.1, unconstrained); the network is trained on
/// `Σ_t λ_t L_t` (type (A)). Before that, every step, `λ` takes one step of its own Adam optimiser
/// (lr `meta_lr`, default 10⁻⁴, as the NYUv2 setting) on the one-step look-ahead meta-gradient:
///
/// 1. **Virtual step** from this step's training losses (their graph is reused; no extra forward):
///    `θ′` is the update the network's optimiser (``MTLStep/optimizer``) would make for the
///    gradient `g = ∇_θ Σ_t λ_t L_t`, from ``AuxNN/Optimizer/virtualUpdate(of:inGroup:gradient:)``
///    (its current learning rates, weight decay and state; nothing is changed). For ``SGD`` with
///    momentum μ and no dampening or Nesterov this is the reference's
///    `θ′ = θ − α (μ·m + g + wd·θ)`; for Adam and AdamW it is their step with the step count + 1
///    (the reference takes a plain SGD step whatever the optimiser; see below). θ is every
///    trainable parameter of the optimiser, shared and task-specific. Parameters without a
///    gradient stay where they are (the optimiser skips them too). An optimiser without a virtual
///    step makes the step throw, naming it.
/// 2. **Validation loss** at `θ′` on the second batch (``LossEvaluator/validationLosses``):
///    `L_val = Σ_{t∈P} L_t^val(θ′)`, `P` = all tasks in `multi-task` mode, the primary tasks in
///    `auxiliary` mode (the default; with every task primary the two coincide). `v = ∇_{θ′} L_val`.
/// 3. **Finite-difference meta-gradient** of `L_val(θ′(λ))`: the update is element-wise in the
///    gradient, so `∂θ′/∂λ_t = D ⊙ ∇_θ L_t` with `D` its derivative
///    (``AuxNN/VirtualUpdate/gradientDerivative``; `−α` for the reference's SGD), and
///    `∂L_val/∂λ_t = ∇_θ L_t · u` with `u = D ⊙ v`. With `c = ‖u‖/‖v‖`, `ε = 0.01/‖v‖` and
///    `θ± = θ ± ε u/c` (a perturbation of length 0.01, as the reference's),
///    `∂/∂λ_t = c (L_t(θ⁺) − L_t(θ⁻)) / (2ε)` from two gradient-free evaluations of the training
///    batch (``LossEvaluator/trainingLosses``). For SGD with one learning rate α, `u = −α v`,
///    `c = α`, and this is the reference's `−α (L_t(θ + εv) − L_t(θ − εv)) / (2ε)`. θ is then
///    restored exactly (from a copy, not by subtracting ε v back as the reference code does).
///
/// The reference (`auto_lambda.py`) forms its virtual step by hand as `θ − α(μ·m + ∇ + wd·θ)`
/// with group 0's rate and the SGD momentum buffer if there is one, so under Adam it steps as
/// plain SGD with Adam's (small) learning rate; here the virtual step is the optimiser's own
/// (tested against `torch.optim` for SGD, Adam, AdamW and AMSGrad:
/// `scripts/fixtures/auto_lambda_look_ahead.py`). With parameter groups of different learning
/// rates the reference reads group 0 only; here each parameter uses its own group. A zero `u`
/// (a zero validation gradient or learning rate) gives a zero meta-gradient (noted).
///
/// The evaluator closures must run the model on its current parameter values with an ordinary
/// forward pass (no ``SharedFeatures`` aliases, so that the validation loss reaches the encoder).
/// As in the reference, these extra forward passes run in training mode and so update batch-norm
/// statistics. Cost per step: one extra backward pass of the training loss (decoders and encoder),
/// one forward and backward on the validation batch, two forwards on the training batch.
///
/// `weight/<task>` reports `λ_t` after this step's meta-update (the weights used this step),
/// `meta_grad/<task>` the meta-gradient.
public final class AutoLambda: WeightingMethod {
  public static let descriptor = MethodDescriptor(
    name: "auto-lambda", title: "Auto-Lambda",
    reference: "Liu, James, Davison, Johns. Auto-Lambda: Disentangling Dynamic Task Relationships. TMLR 2022. Convention: lorenmt/auto-lambda (λ init 0.1, virtual step = the network optimiser's next step (the reference's SGD step with momentum and weight decay; Adam's own step under Adam), finite-difference meta-gradient with a perturbation of length 0.01, Adam on λ).",
    summary: "Learns task weights by a one-step look-ahead: the weights move to reduce the primary tasks' loss on a second batch after a virtual step.",
    kind: .lossWeighting, requirements: [.losses, .lossEvaluator, .validationBatch, .optimizer],
    options: [
      OptionSpec("mode", default: "auxiliary", "meta objective: validation loss of the primary tasks (auxiliary) or of all tasks (multi-task)", allowed: ["auxiliary", "multi-task"]),
      OptionSpec("init", default: "0.1", "initial weight λ of every task"),
      OptionSpec("meta_lr", default: "1e-4", "Adam learning rate of λ (paper: 1e-4 NYUv2, 3e-5 Cityscapes, 3e-4 CIFAR-100)"),
    ],
    primaryAware: true,
    make: { ctx in try AutoLambda(ctx) })

  public var descriptor: MethodDescriptor { Self.descriptor }
  public let tasks: [TaskInfo]
  public let resolvedOptions: [String: String]
  /// The tasks whose validation losses form the meta objective.
  public let metaTasks: [Int]
  /// The task weights `λ`.
  public private(set) var weights: [Float]
  /// `λ`'s optimiser.
  public private(set) var metaOptimizer: VectorAdam

  init(_ ctx: MethodContext) throws {
    var o = ctx.options
    tasks = ctx.tasks
    let mode = try o.string("mode")
    let initial = try o.double("init", range: -1e6...1e6)
    let lr = try o.double("meta_lr", range: 0...1e3)
    resolvedOptions = o.resolved
    metaTasks = mode == "multi-task" ? Array(ctx.tasks.indices) : ctx.tasks.primaryIndices
    weights = [Float](repeating: Float(initial), count: ctx.tasks.count)
    metaOptimizer = VectorAdam(count: ctx.tasks.count, learningRate: Float(lr))
  }

  public func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    guard let optimizer = step.optimizer else {
      throw MTLStepError("auto-lambda: needs the network's optimiser (`optimizer:` in the step) for the virtual step")
    }
    guard let evaluator = step.evaluator, let validation = evaluator.validationLosses else {
      throw MTLStepError("auto-lambda: needs `evaluator:` with `validationLosses` (a second batch) and `trainingLosses` in the step")
    }
    let net = LookAheadParameters(optimizer)
    guard !net.isEmpty else { throw MTLStepError("auto-lambda: the optimiser has no trainable parameters") }
    var report = StepReport()

    // 1. Virtual step: θ′ = the optimiser's update for ∇_θ Σ λ_t L_t, from the step's own graph.
    let lambda = weights.map(Double.init)
    let grads = net.gradients(of: step.weightedLossSum(lambda), through: step, retainGraph: true)
    let updates = try net.virtualStep(optimizer, gradients: grads, method: "auto-lambda")
    let theta = net.snapshot()
    for (i, p) in net.parameters.enumerated() {
      if let u = updates[i] { p.assign(u.value) }
    }

    // 2. v = ∇_{θ′} Σ_{t∈P} L_t^val(θ′).
    let valLosses: [Tensor]
    do {
      valLosses = try validation()
    } catch {
      net.restore(theta)
      throw error
    }
    guard valLosses.count == tasks.count else {
      net.restore(theta)
      throw MTLStepError("auto-lambda: the evaluator returned \(valLosses.count) validation losses for \(tasks.count) tasks")
    }
    var valObjective = valLosses[metaTasks[0]].reshaped([])
    for t in metaTasks.dropFirst() { valObjective = valObjective + valLosses[t].reshaped([]) }
    let v = net.gradients(of: valObjective, retainGraph: false)
    net.restore(theta)
    let sharedIDs = Set(step.sharedParameters.map(ObjectIdentifier.init))
    let sharedInNetwork = net.parameters.indices.filter { sharedIDs.contains(ObjectIdentifier(net.parameters[$0])) }
    if valObjective.requiresGrad && !sharedInNetwork.isEmpty && sharedInNetwork.allSatisfy({ v[$0] == nil }) {
      throw MTLStepError("auto-lambda: the validation losses do not reach any shared parameter; the evaluator must run the model with an ordinary forward pass (no SharedFeatures aliases)")
    }
    report.values["validation_loss"] = valObjective.item

    // 3. Finite-difference meta-gradient along u = D ⊙ v (D: the update's derivative in the gradient).
    let u: [Tensor?] = net.parameters.indices.map { i in
      guard let d = updates[i]?.gradientDerivative, let vi = v[i] else { return nil }
      return d * vi
    }
    let vNorm = LookAheadParameters.norm(v)
    let uNorm = LookAheadParameters.norm(u)
    var metaGrad = [Float](repeating: 0, count: tasks.count)
    if vNorm > 0 && uNorm > 0 && vNorm.isFinite && uNorm.isFinite {
      let c = uNorm / vNorm
      let eps = 0.01 / vNorm
      let scale = Float(eps / c)
      let scales = [Float](repeating: scale, count: net.parameters.count)
      let plus: [Float]
      let minus: [Float]
      do {
        net.set(theta, plus: u, scales: scales)
        plus = try Autograd.withoutGradients { try evaluator.trainingLosses().map(\.item) }
        net.set(theta, plus: u, scales: scales.map { -$0 })
        minus = try Autograd.withoutGradients { try evaluator.trainingLosses().map(\.item) }
        net.restore(theta)
      } catch {
        net.restore(theta)
        throw error
      }
      guard plus.count == tasks.count, minus.count == tasks.count else {
        throw MTLStepError("auto-lambda: the evaluator returned \(plus.count) training losses for \(tasks.count) tasks")
      }
      for t in 0..<tasks.count {
        metaGrad[t] = Float(c * (Double(plus[t]) - Double(minus[t])) / (2 * eps))
      }
    } else {
      report.notes.append("validation gradient is zero (or the learning rate is 0); meta-gradient set to zero")
    }
    metaOptimizer.step(&weights, gradient: metaGrad)

    // 4. The training step with the updated weights.
    try step.backwardLossObjective(step.weightedLossSum(weights.map(Double.init)))
    report.set("weight", weights, tasks: tasks)
    report.set("meta_grad", metaGrad, tasks: tasks)
    return report
  }

  public func stateDict() -> [String: Tensor] {
    var out = metaOptimizer.stateDict(prefix: "meta_adam")
    out["weights"] = Tensor(weights)
    return out
  }

  public func loadStateDict(_ state: [String: Tensor]) throws {
    let w = try state.required("weights", count: tasks.count).scalars
    var adam = metaOptimizer
    try adam.loadStateDict(state, prefix: "meta_adam")
    weights = w
    metaOptimizer = adam
  }
}
