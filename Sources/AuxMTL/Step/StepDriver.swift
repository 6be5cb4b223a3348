import AuxEngine
import AuxNN

/// What one training step produced: the method's report and the task losses' values.
public struct StepOutcome {
  /// The weighting method's report (`weight/<task>` and method-specific values).
  public let report: StepReport
  /// Each task's loss value on the batch, in task order (before the update).
  public let losses: [Float]
}

/// Runs one training step of a multi-task model under a weighting method: the single
/// implementation of the step that the trainer, `auxmtl bench`, the examples and the tests use.
///
/// ``step(_:epoch:iteration:)`` does, in order:
///
/// 1. `optimizer.zeroGrad()`;
/// 2. the forward pass: ``StepBatch/encode``, the features wrapped in ``SharedFeatures``, then
///    ``StepBatch/losses`` (each head on its task's alias);
/// 3. an ``MTLStep`` carrying exactly what the method's ``WeightingMethod/requirements`` name —
///    the losses and the shared split always; feature gradients, parameter-level task gradients,
///    the head parameter sets, the optimiser, the loss evaluator and its second batch only when
///    declared (a method that uses an undeclared one gets an ``MTLStepError`` naming it);
///    with ``stopsOnNonFinite``, a NaN or infinite loss throws ``NonFiniteValueError`` here;
/// 4. the method's `backward` (when the batch has a ``TaskLosses/trainingOnly`` loss, its
///    gradient is added afterwards to the shared and ``ModelSplit/trainingOnlyParameters``, outside
///    the method's weighting); with ``stopsOnNonFinite``, a NaN or infinite entry in any optimised
///    parameter's gradient throws ``NonFiniteValueError`` here, before anything changes;
/// 5. clipping of every optimised parameter's gradient to ``clipNorm`` (when positive, the
///    PyTorch `clip_grad_norm_` convention);
/// 6. the optimiser step, then the method's `afterOptimizerStep`.
///
/// ```swift
/// let driver = StepDriver(tasks: tasks, model: ModelSplit(model), method: method, optimizer: adam)
/// for (images, labels, depth) in batches {
///   let batch = StepBatch(model: model, input: images) { out in
///     [out[0].crossEntropy(target: labels), out[1].l1Loss(depth)]
///   }
///   let outcome = try driver.step(batch)   // outcome.report.values["weight/depth"], …
/// }
/// ```
///
/// ## Data-parallel training
///
/// The driver is where a data-parallel run adds its collective operations; a single-process step
/// needs none. The quantities a multi-process step must reduce so that every method keeps its
/// meaning are formed in these places, each reached from ``step(_:epoch:iteration:)``:
///
/// - **Per-task losses** — ``MTLStep/lossValues`` (loss-statistic methods: DWA, FAMO, IMTL-L).
/// - **Per-task feature gradients** — ``MTLStep/backwardDecoders(_:)`` returns each task's
///   (batch-shard) `∂L_t/∂z`; representation-level methods form their scalars (norms, inner
///   products) from them and ``MTLStep/taskGradients(level:featureGradients:)`` stacks them.
/// - **Per-task parameter gradients** — ``MTLStep/taskGradients(level:featureGradients:)`` at
///   ``GradientLevel/parameters`` forms the `T × D` matrix every parameter-level method
///   aggregates.
/// - **Parameter gradients** — after the method's `backward` and before clipping (phase 5 above),
///   the gradient slots of ``optimizer``'s parameters hold this process's update.
///
/// With a ``communicator`` of `R > 1` ranks, each rank runs the step on its equal shard of the
/// global batch (``DataShard``) with batch-mean losses, and the driver makes the step equal one
/// process's step on the global batch:
///
/// - the losses the method sees have the global batch's values (the mean over ranks, one
///   all-reduce of T doubles) while their gradients stay the rank's own, so loss weights,
///   uncertainty terms and loss normalisations are the global ones;
/// - parameter-level task gradients are averaged over the ranks (T × D floats), so aggregators
///   (PCGrad, MGDA, Nash-MTL, …) run on the global batch's gradients, identically on every rank;
/// - feature-gradient statistics (``MTLStep/gramian(_:)``, ``MTLStep/featureNorms(_:)``) are
///   all-reduced (T² or T doubles) and the rank combines its own feature gradients with the
///   resulting weights;
/// - after the method's `backward`, every optimised parameter's gradient is averaged over the
///   ranks (one all-reduce of the parameters' size), before clipping and the optimiser step.
///
/// Which of these happen follows from what the method calls, so the driver never asks which
/// method runs; it only refuses, with more than one rank, a method whose descriptor does not
/// declare ``MethodDescriptor/dataParallel``.
public final class StepDriver {
  /// The tasks, in the order of the heads and of the batch's losses.
  public let tasks: [TaskInfo]
  /// The model's shared and per-task parameter sets.
  public let model: ModelSplit
  /// The weighting method.
  public let method: any WeightingMethod
  /// The optimiser over the model (and the method's own parameters, when it has any).
  public let optimizer: any Optimizer
  /// The largest global gradient norm over every optimised parameter; 0 (the default) does not
  /// clip.
  public var clipNorm: Double
  /// Whether a NaN or infinite loss or gradient stops the step with a ``NonFiniteValueError``
  /// before the optimiser changes any weight (default true). A non-finite update would silently
  /// turn every weight into NaN and the rest of the run into noise.
  public var stopsOnNonFinite = true
  /// The ranks of a data-parallel run; ``SingleProcessCommunicator`` (no collective at all) by
  /// default.
  public let communicator: any Communicator

  /// A driver for `method` over `model`.
  ///
  /// - Parameter communicator: the ranks of a data-parallel run (one process by default).
  /// - Throws: ``MTLStepError`` when `tasks` differ from the method's tasks or their count from
  ///   the model's heads, when `clipNorm` is negative or not finite, or when `communicator` has
  ///   more than one rank and the method re-runs the model (a look-ahead) or does not declare
  ///   ``MethodDescriptor/dataParallel``.
  public init(
    tasks: [TaskInfo], model: ModelSplit, method: any WeightingMethod, optimizer: any Optimizer, clipNorm: Double = 0,
    communicator: any Communicator = SingleProcessCommunicator()
  ) throws {
    guard tasks == method.tasks else {
      throw MTLStepError("StepDriver: the method \(method.descriptor.name) was made for tasks [\(method.tasks.map(\.description).joined(separator: ", "))], the driver is given [\(tasks.map(\.description).joined(separator: ", "))]")
    }
    guard model.taskCount == tasks.count else {
      throw MTLStepError("StepDriver: the model has \(model.taskCount) heads for \(tasks.count) tasks (\(tasks.names.joined(separator: ", ")))")
    }
    guard clipNorm >= 0, clipNorm.isFinite else {
      throw MTLStepError("StepDriver: clipNorm must be a finite number ≥ 0 (0 = no clipping); found \(clipNorm)")
    }
    if communicator.size > 1 {
      let name = method.descriptor.name
      let lookAhead = method.requirements.intersection([.lossEvaluator, .validationBatch, .optimizer])
      guard lookAhead.isEmpty else {
        throw MTLStepError("StepDriver: \(name) needs \(lookAhead.swiftNames) (it re-runs the model or takes a virtual step), which would see only this rank's shard; it cannot run data-parallel over \(communicator.size) ranks; run it with one process")
      }
      guard method.descriptor.dataParallel else {
        throw MTLStepError("StepDriver: \(name) is not data-parallel (some statistic it computes would be this rank's, not the global batch's), so it cannot run over \(communicator.size) ranks; run it with one process, or use one of: \(MethodRegistry.all.filter(\.dataParallel).map(\.name).joined(separator: ", "))")
      }
    }
    self.tasks = tasks
    self.model = model
    self.method = method
    self.optimizer = optimizer
    self.clipNorm = clipNorm
    self.communicator = communicator
  }

  /// What the step gives the method: its instance's requirements (which may depend on its
  /// options), with the losses always.
  public var provided: MethodRequirements { method.requirements.union(.losses) }

  /// Runs one training step on `batch` and returns the method's report and the loss values.
  ///
  /// - Parameters:
  ///   - epoch: the 0-based epoch (methods with per-epoch state read it).
  ///   - iteration: the 0-based global step.
  /// - Throws: whatever the batch's closures throw, ``MTLStepError`` when the losses do not fit
  ///   the tasks or the method needs something it did not declare, and the method's own errors.
  ///   The optimiser has not stepped when an error is thrown before or by the method's `backward`;
  ///   ``NonFiniteValueError`` (with ``stopsOnNonFinite``) names the task or parameter.
  @discardableResult
  public func step(_ batch: StepBatch, epoch: Int = 0, iteration: Int = 0) throws -> StepOutcome {
    optimizer.zeroGrad()
    let (step, trainingOnly) = try makeStep(batch, epoch: epoch, iteration: iteration)
    let losses = step.lossValues
    if stopsOnNonFinite, let t = losses.firstIndex(where: { !$0.isFinite }) {
      throw NonFiniteValueError(.loss(task: tasks[t].name), value: losses[t], iteration: iteration, epoch: epoch)
    }
    // The training-only loss's gradient is taken before the method runs (the method's encoder
    // pass releases the graph) and added after it, so the method never sees it.
    let extra = trainingOnly.map(trainingOnlyGradients) ?? []
    let report = try method.backward(step)
    for (p, g) in extra { p.grad = p.grad.map { $0 + g } ?? g }
    try GradientAveraging.average(optimizer.allParameters.map(\.parameter), over: communicator)
    if stopsOnNonFinite { try checkGradients(epoch: epoch, iteration: iteration) }
    if clipNorm > 0 {
      clipGradientNorm(optimizer.allParameters.map(\.parameter), maxNorm: Float(clipNorm))
    }
    optimizer.step()
    try method.afterOptimizerStep(step)
    return StepOutcome(report: report, losses: losses)
  }

  /// Throws for the first optimised parameter whose gradient holds a NaN or an infinity.
  private func checkGradients(epoch: Int, iteration: Int) throws {
    for (_, name, parameter) in optimizer.allParameters {
      guard let grad = parameter.grad else { continue }
      if let i = grad.firstNonFiniteIndex() {
        let bad = grad.withUnsafeBufferPointer { $0[i] }
        let id = ObjectIdentifier(parameter)
        let task = model.taskParameters.firstIndex { $0.contains { ObjectIdentifier($0) == id } }.map { tasks[$0].name }
        throw NonFiniteValueError(.gradient(parameter: name, task: task), value: bad, iteration: iteration, epoch: epoch)
      }
    }
  }

  /// The gradient of a training-only loss with respect to the trainable shared parameters and
  /// the training-only parameters it reaches (the graph is retained for the method).
  private func trainingOnlyGradients(_ loss: Tensor) -> [(Parameter, Tensor)] {
    guard loss.requiresGrad else { return [] }
    let params = (model.sharedParameters + model.trainingOnlyParameters).filter(\.requiresGrad)
    guard !params.isEmpty else { return [] }
    let grads = Autograd.gradients(of: [loss], wrt: params.map(\.value), retainGraph: true)
    return zip(params, grads).compactMap { p, g in g.map { (p, $0) } }
  }

  /// The forward pass and the ``MTLStep`` with exactly what the method declares, and the batch's
  /// training-only loss.
  private func makeStep(_ batch: StepBatch, epoch: Int, iteration: Int) throws -> (MTLStep, Tensor?) {
    let shared = SharedFeatures(try batch.encode(), taskCount: tasks.count)
    var out = try batch.losses(shared)
    (out.losses, out.terms) = try GlobalLosses.globalize(out.losses, terms: out.terms, over: communicator)
    let needs = provided
    var evaluator: LossEvaluator?
    if needs.contains(.lossEvaluator), var e = batch.evaluator {
      if !needs.contains(.validationBatch) { e.validationLosses = nil }
      evaluator = e
    }
    return (try MTLStep(
      tasks: tasks, losses: out.losses, shared: shared, sharedParameters: model.sharedParameters,
      taskParameters: needs.contains(.taskParameters) ? model.taskParameters : nil,
      lastSharedParameters: model.lastSharedParameters, epoch: epoch, iteration: iteration,
      optimizer: needs.contains(.optimizer) ? optimizer : nil, evaluator: evaluator, lossTerms: out.terms,
      provided: needs, methodName: method.descriptor.name, communicator: communicator), out.trainingOnly)
  }
}
