import re, sys
root='/work/wt/mpi/'
def edit(path, old, new, count=1):
    p=root+path; s=open(p).read()
    if s.count(old) < 1: sys.exit(f"not found in {path}: {old[:80]!r}")
    s=s.replace(old,new,count); open(p,'w').write(s)

# --- MTLStep: communicator, J all-reduce, throwing shared-gradient norm
edit('Sources/AuxMTL/Core/MTLStep.swift','''  /// The registry name of the method the step was built for (set by ``StepDriver``), for messages.
  public let methodName: String?
''','''  /// The registry name of the method the step was built for (set by ``StepDriver``), for messages.
  public let methodName: String?
  /// The ranks of a data-parallel run (``SingleProcessCommunicator`` by default). With more than
  /// one, the step's losses are the global batch's (set by ``StepDriver``), parameter-level task
  /// gradients are averaged over the ranks, and the statistics of feature gradients
  /// (``gramian(_:)``, ``featureNorms(_:)``) are the global batch's.
  public let communicator: any Communicator
''')
edit('Sources/AuxMTL/Core/MTLStep.swift','''  ///   - methodName: the method's registry name, for error messages.
  /// - Throws:''','''  ///   - methodName: the method's registry name, for error messages.
  ///   - communicator: the ranks of a data-parallel run; one process by default.
  /// - Throws:''')
edit('Sources/AuxMTL/Core/MTLStep.swift','''    provided: MethodRequirements = .all, methodName: String? = nil
  ) throws {''','''    provided: MethodRequirements = .all, methodName: String? = nil,
    communicator: any Communicator = SingleProcessCommunicator()
  ) throws {''')
edit('Sources/AuxMTL/Core/MTLStep.swift','''    self.methodName = methodName
  }''','''    self.methodName = methodName
    self.communicator = communicator
  }''')
edit('Sources/AuxMTL/Core/MTLStep.swift','''  /// gradient, over the shared parameters (T encoder passes; the encoder graph is retained).
  public func taskGradients''','''  /// gradient, over the shared parameters (T encoder passes; the encoder graph is retained). In a
  /// data-parallel step the parameter-level rows are then averaged over the ranks (one all-reduce
  /// of `T × D` floats), so every rank holds the global batch's task gradients.
  public func taskGradients''')
edit('Sources/AuxMTL/Core/MTLStep.swift','''      return TaskGradients(level: .parameters, matrix: m)''','''      if communicator.size > 1 {
        var rows = m.scalars
        try communicator.allReduceMean(&rows)
        m = Tensor(shape: m.shape, scalars: rows)
      }
      return TaskGradients(level: .parameters, matrix: m)''')
edit('Sources/AuxMTL/Core/MTLStep.swift','''  /// Euclidean norm of the shared parameters' accumulated gradients.
  public func sharedGradientNorm() -> Double {
    var s = 0.0''','''  /// Euclidean norm of the shared parameters' accumulated gradients (in a data-parallel step,
  /// of the global batch's: the shared gradients are averaged over the ranks first, see
  /// ``reduceSharedGradients()``).
  public func sharedGradientNorm() throws -> Double {
    try reduceSharedGradients()
    var s = 0.0''')
edit('Sources/AuxMTL/Core/MTLStep.swift','''  public func clipSharedGradientNorm(_ maxNorm: Double) -> Double {
    let norm = sharedGradientNorm()''','''  public func clipSharedGradientNorm(_ maxNorm: Double) throws -> Double {
    let norm = try sharedGradientNorm()''')
edit('Sources/AuxMTL/Methods/FAMO.swift','let before = step.clipSharedGradientNorm(maxNorm)','let before = try step.clipSharedGradientNorm(maxNorm)')
edit('Sources/AuxMTL/Methods/NashMTL.swift','let norm = maxNorm > 0 ? step.clipSharedGradientNorm(maxNorm) : step.sharedGradientNorm()','let norm = maxNorm > 0 ? try step.clipSharedGradientNorm(maxNorm) : try step.sharedGradientNorm()')
edit('Tests/AuxMTLTests/FAMOTests.swift','#expect(abs(step.sharedGradientNorm() - 0.01) < 1e-6)','#expect(abs(try step.sharedGradientNorm() - 0.01) < 1e-6)')

# --- Gramian through the step
edit('Sources/AuxMTL/Methods/GradientMethodSupport.swift','''    let k = g.gramian()
    try checkFinite''','''    let k = try step.gramian(g)
    try checkFinite''')

# --- IAL: norms through the step
edit('Sources/AuxMTL/Methods/Support/ImpartialStages.swift','''  static func primary(
    _ d: Decoders, tasks: [TaskInfo], shape: [Int], weighted: Bool, firstPrimaryNorm: Bool = false
  ) -> Primary? {''','''  /// Norms and the Gramian are the global batch's (``MTLStep/featureNorms(_:)``,
  /// ``MTLStep/gramian(_:)``).
  static func primary(
    _ d: Decoders, step: MTLStep, tasks: [TaskInfo], shape: [Int], weighted: Bool, firstPrimaryNorm: Bool = false
  ) throws -> Primary? {''')
edit('Sources/AuxMTL/Methods/Support/ImpartialStages.swift','''      return Primary(gradient: grads[0], targetNorm: FeatureMath.norm(grads[0]), weights: [1])''','''      return Primary(gradient: grads[0], targetNorm: try step.featureNorms([grads[0]])[0], weights: [1])''')
edit('Sources/AuxMTL/Methods/Support/ImpartialStages.swift','''    guard let alpha = IMTLGSolver.weights(gramian: g.gramian()) else { return nil }
    let combined = g.combine(alpha).reshaped(shape)
    let norm = firstPrimaryNorm ? abs(alpha[0]) * FeatureMath.norm(grads[0]) : FeatureMath.norm(combined)''','''    guard let alpha = IMTLGSolver.weights(gramian: try step.gramian(g)) else { return nil }
    let combined = g.combine(alpha).reshaped(shape)
    let norm = firstPrimaryNorm ? abs(alpha[0]) * (try step.featureNorms([grads[0]])[0]) : try step.featureNorms([combined])[0]''')
edit('Sources/AuxMTL/Methods/ImpartialAuxiliaryLearning.swift','''    guard let primary = ImpartialStages.primary(
      d, tasks: tasks,''','''    guard let primary = try ImpartialStages.primary(
      d, step: step, tasks: tasks,''')
edit('Sources/AuxMTL/Methods/ImpartialAuxiliaryLearning.swift','''    var encoderGradient = primary.gradient
    let targetNorm = primary.targetNorm''','''    var encoderGradient = primary.gradient
    let targetNorm = primary.targetNorm
    let auxiliaryNorms = try step.featureNorms(auxiliaries.map { d.featureGradients[$0] })''')
edit('Sources/AuxMTL/Methods/ImpartialAuxiliaryLearning.swift','''            let ratio = ImpartialStages.normRatio(target: targetNorm, auxiliaryNorm: FeatureMath.norm(ha), eps: eps)''','''            let ratio = ImpartialStages.normRatio(target: targetNorm, auxiliaryNorm: auxiliaryNorms[k], eps: eps)''')
print("ok")
edit('Sources/AuxMTL/Methods/IALAblation.swift','guard let primary = ImpartialStages.primary(d, tasks: tasks,','guard let primary = try ImpartialStages.primary(d, step: step, tasks: tasks,')
print("ok2")
# --- MethodDescriptor.dataParallel
edit('Sources/AuxMTL/Core/MethodDescriptor.swift','''  /// Whether the method is our reconstruction of an underspecified paper (ATW, PUW, Miraliev).
  public let isApproximation: Bool
''','''  /// Whether the method is our reconstruction of an underspecified paper (ATW, PUW, Miraliev).
  public let isApproximation: Bool
  /// Whether its step is exact under data parallelism: run by a ``StepDriver`` over `R` ranks
  /// with equal shards, it updates the parameters as one process does on the global batch.
  ///
  /// A method earns it when every statistic it forms from the step goes through the step's global
  /// quantities — the losses (global values in a data-parallel step), ``MTLStep/gramian(_:)``,
  /// ``MTLStep/featureNorms(_:)``, parameter-level ``MTLStep/taskGradients(level:featureGradients:)``
  /// (averaged over the ranks), ``MTLStep/sharedGradientNorm()`` — its random draws come from its
  /// own seeded generator, and it re-runs no model (no look-ahead). The driver refuses a method
  /// without it when there is more than one rank, rather than silently changing its meaning.
  public let dataParallel: Bool
''')
edit('Sources/AuxMTL/Core/MethodDescriptor.swift','''    primaryAware: Bool? = nil, auxiliaryOrderInvariant: Bool = true, isApproximation: Bool = false,
    make:''','''    primaryAware: Bool? = nil, auxiliaryOrderInvariant: Bool = true, isApproximation: Bool = false,
    dataParallel: Bool = false, make:''')
edit('Sources/AuxMTL/Core/MethodDescriptor.swift','''    self.isApproximation = isApproximation
''','''    self.isApproximation = isApproximation
    self.dataParallel = dataParallel
''')

# --- StepDriver
sd='Sources/AuxMTL/Step/StepDriver.swift'
edit(sd,'''/// - **Parameter gradients** — after the method's `backward` and before clipping (phase 5 above),
///   the gradient slots of ``optimizer``'s parameters hold this process's update.
public final class StepDriver {''','''/// - **Parameter gradients** — after the method's `backward` and before clipping (phase 5 above),
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
public final class StepDriver {''')
edit(sd,'''  public var clipNorm: Double

''','''  public var clipNorm: Double
  /// The ranks of a data-parallel run; ``SingleProcessCommunicator`` (no collective at all) by
  /// default.
  public let communicator: any Communicator

''')
edit(sd,'''  /// - Throws: ``MTLStepError`` when `tasks` differ from the method's tasks or their count from
  ///   the model's heads, or when `clipNorm` is negative or not finite.
  public init(tasks: [TaskInfo], model: ModelSplit, method: any WeightingMethod, optimizer: any Optimizer, clipNorm: Double = 0) throws {''','''  /// - Parameter communicator: the ranks of a data-parallel run (one process by default).
  /// - Throws: ``MTLStepError`` when `tasks` differ from the method's tasks or their count from
  ///   the model's heads, when `clipNorm` is negative or not finite, or when `communicator` has
  ///   more than one rank and the method re-runs the model (a look-ahead) or does not declare
  ///   ``MethodDescriptor/dataParallel``.
  public init(
    tasks: [TaskInfo], model: ModelSplit, method: any WeightingMethod, optimizer: any Optimizer, clipNorm: Double = 0,
    communicator: any Communicator = SingleProcessCommunicator()
  ) throws {''')
edit(sd,'''    self.tasks = tasks
    self.model = model''','''    if communicator.size > 1 {
      let name = method.descriptor.name
      let lookAhead = method.requirements.intersection([.lossEvaluator, .validationBatch, .optimizer])
      guard lookAhead.isEmpty else {
        throw MTLStepError("StepDriver: \\(name) needs \\(lookAhead) (it re-runs the model or takes a virtual step), which would see only this rank's shard; it cannot run data-parallel over \\(communicator.size) ranks — run it with one process")
      }
      guard method.descriptor.dataParallel else {
        throw MTLStepError("StepDriver: \\(name) is not data-parallel exact (some statistic it computes would be this rank's, not the global batch's); run it with one process, or use one of: \\(MethodRegistry.all.filter(\\.dataParallel).map(\\.name).joined(separator: ", "))")
      }
    }
    self.tasks = tasks
    self.model = model''')
edit(sd,'''    self.clipNorm = clipNorm
  }''','''    self.clipNorm = clipNorm
    self.communicator = communicator
  }''')
edit(sd,'''    let report = try method.backward(step)
    if clipNorm''','''    let report = try method.backward(step)
    try GradientAveraging.average(optimizer.allParameters.map(\\.parameter), over: communicator)
    if clipNorm''')
edit(sd,'''    let out = try batch.losses(shared)
''','''    var out = try batch.losses(shared)
    (out.losses, out.terms) = try GlobalLosses.globalize(out.losses, terms: out.terms, over: communicator)
''')
edit(sd,'''      provided: needs, methodName: method.descriptor.name)''','''      provided: needs, methodName: method.descriptor.name, communicator: communicator)''')
print("ok3")
# --- mark the reviewed methods
for path, names in [
  ('Sources/AuxMTL/Methods/EqualWeighting.swift', 1),
  ('Sources/AuxMTL/Methods/UncertaintyWeighting.swift', 1),
  ('Sources/AuxMTL/Methods/ImpartialAuxiliaryLearning.swift', 1),
  ('Sources/AuxMTL/Methods/IMTLGradientBalance.swift', 1),
  ('Sources/AuxMTL/Methods/ProjectingConflictingGradients.swift', 1),
  ('Sources/AuxMTL/Methods/MultipleGradientDescent.swift', 2),
  ('Sources/AuxMTL/Methods/NashMTL.swift', 1),
]:
    p=root+path; s=open(p).read()
    n=s.count('make: { ctx in')
    if n != names: sys.exit(f"{path}: {n} descriptors")
    s=s.replace('make: { ctx in','dataParallel: true, make: { ctx in')
    open(p,'w').write(s)
print("ok4")
