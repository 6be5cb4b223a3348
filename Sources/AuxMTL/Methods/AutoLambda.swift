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
///    `θ′ = θ − α (μ·m + ∇_θ Σ_t λ_t L_t + wd·θ)`, where `α`, `wd` are the parameter's group's
///    current learning rate and weight decay in ``MTLStep/optimizer`` and `μ·m` is ``SGD``'s momentum
///    term (zero before its first step). θ is every trainable parameter of the optimiser, shared
///    and task-specific. For any other optimiser (Adam, …) the virtual step is the plain SGD form
///    `θ − α (∇ + wd·θ)`, exactly as Auto-Lambda's code does when the optimiser has no momentum.
///    Parameters without a gradient stay where they are (the optimiser skips them too).
/// 2. **Validation loss** at `θ′` on the second batch (``LossEvaluator/validationLosses``):
///    `L_val = Σ_{t∈P} L_t^val(θ′)`, `P` = all tasks in `multi-task` mode, the primary tasks in
///    `auxiliary` mode (the default; with every task primary the two coincide). `v = ∇_{θ′} L_val`.
/// 3. **Finite-difference meta-gradient**: `ε = 0.01/‖v‖`, `θ± = θ ± ε v`,
///    `∂/∂λ_t = −α (L_t(θ⁺) − L_t(θ⁻)) / (2ε)` from two gradient-free evaluations of the training
///    batch (``LossEvaluator/trainingLosses``). θ is then restored exactly (from a copy, not by
///    subtracting ε v back as the reference code does).
///
/// With parameter groups of different learning rates the reference (which reads group 0 only) is
/// generalised: the perturbation is `ε (α_g/α_max) v` and the factor `α_max`, which reduces to the
/// above when all groups share one rate. A zero `v` gives a zero meta-gradient (noted).
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
    reference: "Liu, James, Davison, Johns. Auto-Lambda: Disentangling Dynamic Task Relationships. TMLR 2022. Convention: lorenmt/auto-lambda (λ init 0.1, virtual SGD step with the optimiser's momentum and weight decay, finite-difference meta-gradient with ε = 0.01/‖v‖, Adam on λ).",
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

    // 1. Virtual step θ′ = θ − α(μ·m + ∇ + wd·θ), from the step's own loss graph.
    let lambda = weights.map(Double.init)
    let grads = net.gradients(of: step.weightedLossSum(lambda), through: step, retainGraph: true)
    let theta = net.snapshot()
    for (i, p) in net.parameters.enumerated() {
      guard let g = grads[i] else { continue }
      let (lr, wd, m) = (net.learningRates[i], net.weightDecays[i], net.momentumTerms[i])
      let base = theta[i]
      p.update { x in
        base.withUnsafeBufferPointer { b in
          g.withUnsafeBufferPointer { gp in
            if let m {
              m.withUnsafeBufferPointer { mp in
                for k in 0..<x.count { x[k] = b[k] - lr * (mp[k] + gp[k] + wd * b[k]) }
              }
            } else {
              for k in 0..<x.count { x[k] = b[k] - lr * (gp[k] + wd * b[k]) }
            }
          }
        }
      }
    }

    // 2. v = ∇_{θ′} Σ_{t∈P} L_t^val(θ′).
    let valLosses = validation()
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

    // 3. Finite-difference meta-gradient.
    let alphaMax = net.learningRates.max() ?? 0
    let norm = LookAheadParameters.norm(v)
    var metaGrad = [Float](repeating: 0, count: tasks.count)
    if norm > 0 && norm.isFinite && alphaMax > 0 {
      let eps = 0.01 / norm
      let scales = net.learningRates.map { Float(eps * Double($0 / alphaMax)) }
      net.set(theta, plus: v, scales: scales)
      let plus = Autograd.withoutGradients { evaluator.trainingLosses().map(\.item) }
      net.set(theta, plus: v, scales: scales.map { -$0 })
      let minus = Autograd.withoutGradients { evaluator.trainingLosses().map(\.item) }
      net.restore(theta)
      guard plus.count == tasks.count, minus.count == tasks.count else {
        throw MTLStepError("auto-lambda: the evaluator returned \(plus.count) training losses for \(tasks.count) tasks")
      }
      for t in 0..<tasks.count {
        metaGrad[t] = Float(-Double(alphaMax) * (Double(plus[t]) - Double(minus[t])) / (2 * eps))
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
