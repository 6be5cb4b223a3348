import AuxEngine
import AuxNN

/// Recomputes the per-task losses of the current step at the current parameter values.
///
/// Methods with a look-ahead (Auto-Lambda) or a post-step loss evaluation (FAMO) need to run the
/// model again; the training loop provides these closures, and the method declares that it needs
/// them (``MethodRequirements/lossEvaluator``, ``MethodRequirements/validationBatch``).
///
/// The closures throw when the model cannot be run (a batch that fails to load, a loss that
/// refuses its input); the method passes the error on, with the parameters it moved restored.
public struct LossEvaluator {
  /// Losses on the step's training batch, recorded for autodiff when autodiff is enabled.
  public var trainingLosses: () throws -> [Tensor]
  /// Losses on a second batch ("validation" in Auto-Lambda: a second shuffled pass over the
  /// training set), or nil when the loop has none.
  public var validationLosses: (() throws -> [Tensor])?

  public init(trainingLosses: @escaping () throws -> [Tensor], validationLosses: (() throws -> [Tensor])? = nil) {
    self.trainingLosses = trainingLosses
    self.validationLosses = validationLosses
  }
}

/// A problem with how a step was set up for a method (missing inputs, inconsistent shapes).
public struct MTLStepError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Everything a weighting method may use in one training step, and the gradient primitives it is
/// built from.
///
/// The training loop (or user code) runs the forward pass, computes one scalar loss per task, and
/// hands them over with the shared features and the parameter sets. The method then calls the
/// primitives it needs, in this order:
///
/// 1. ``backwardDecoders(_:)`` — one backward pass of a scalar objective through all task heads
///    (and the method's own parameters); returns each task's feature gradient `∂/∂z`.
/// 2. Optionally ``taskGradients(level:featureGradients:)`` — the `T × D` matrix of per-task
///    gradients at the representation or parameter level.
/// 3. ``backwardEncoder(_:)`` (a combined feature gradient through the encoder, once) or
///    ``applySharedGradient(_:level:)`` (a combined gradient from ``TaskGradients``).
///
/// Gradients are accumulated into the parameters' gradient slots; the optimiser step follows.
public final class MTLStep {
  /// The tasks, in the order of ``losses``.
  public let tasks: [TaskInfo]
  /// One scalar loss per task (recorded for autodiff).
  public let losses: [Tensor]
  /// The shared features and the per-task aliases the heads ran on; nil when the model has no
  /// shared-feature split (only loss-weighting methods work then).
  public let shared: SharedFeatures?
  /// The shared (encoder) parameters that train.
  public let sharedParameters: [Parameter]
  /// Each task head's parameters (disjoint sets), needed by methods that weight decoder gradients
  /// after seeing the feature gradients.
  public let taskParameters: [[Parameter]]?
  /// Parameters of the last shared layer (GradNorm's `W`); defaults to the last shared parameter of
  /// rank ≥ 2.
  public let lastSharedParameters: [Parameter]
  /// 0-based epoch and global iteration.
  public let epoch: Int
  public let iteration: Int
  /// The optimiser that will take the step (Auto-Lambda's virtual step reads its settings).
  public let optimizer: (any Optimizer)?
  /// Closures to re-run the model (look-ahead methods).
  public let evaluator: LossEvaluator?
  /// Optional: the individual objective terms of each task's loss (e.g. a segmentation head's Dice
  /// and cross-entropy terms), scalars recorded for autodiff, `lossTerms[t]` for task `t`. Methods
  /// that weight terms separately (`uw-per-objective`) use them; every other method uses
  /// ``losses``, which should be the tasks' total losses (normally `Σ_k lossTerms[t][k]`).
  public let lossTerms: [[Tensor]]?
  /// What this step provides to the method. A ``StepDriver`` sets the method's
  /// ``WeightingMethod/requirements``; a hand-built step provides everything it was given. The
  /// primitives that need an entry throw an ``MTLStepError`` naming it when it is absent.
  public let provided: MethodRequirements
  /// The registry name of the method the step was built for (set by ``StepDriver``), for messages.
  public let methodName: String?
  /// The ranks of a data-parallel run (``SingleProcessCommunicator`` by default). With more than
  /// one, the step's losses are the global batch's (set by ``StepDriver``), parameter-level task
  /// gradients are averaged over the ranks, and the statistics of feature gradients
  /// (``gramian(_:)``, ``featureNorms(_:)``) are the global batch's.
  public let communicator: any Communicator

  /// Creates a step.
  ///
  /// - Parameters:
  ///   - provided: what the method may use (``StepDriver`` passes the method's requirements); by
  ///     default everything.
  ///   - methodName: the method's registry name, for error messages.
  ///   - communicator: the ranks of a data-parallel run; one process by default.
  /// - Throws: ``MTLStepError`` when the inputs are inconsistent (loss count, non-scalar losses,
  ///   overlapping head parameter sets, feature aliases that do not match the tasks, loss terms
  ///   that are not one non-empty list of scalars per task).
  public init(
    tasks: [TaskInfo], losses: [Tensor], shared: SharedFeatures? = nil, sharedParameters: [Parameter] = [],
    taskParameters: [[Parameter]]? = nil, lastSharedParameters: [Parameter]? = nil, epoch: Int = 0, iteration: Int = 0,
    optimizer: (any Optimizer)? = nil, evaluator: LossEvaluator? = nil, lossTerms: [[Tensor]]? = nil,
    provided: MethodRequirements = .all, methodName: String? = nil,
    communicator: any Communicator = SingleProcessCommunicator()
  ) throws {
    guard !tasks.isEmpty else { throw MTLStepError("MTLStep: no tasks") }
    guard losses.count == tasks.count else {
      throw MTLStepError("MTLStep: \(losses.count) losses for \(tasks.count) tasks (\(tasks.names.joined(separator: ", ")))")
    }
    for (t, l) in losses.enumerated() where l.count != 1 {
      throw MTLStepError("MTLStep: the loss of task '\(tasks[t].name)' has shape \(l.shape); each task loss must be a scalar")
    }
    if let shared, shared.taskCount != tasks.count {
      throw MTLStepError("MTLStep: shared features have \(shared.taskCount) aliases for \(tasks.count) tasks")
    }
    if let taskParameters {
      guard taskParameters.count == tasks.count else {
        throw MTLStepError("MTLStep: \(taskParameters.count) task parameter sets for \(tasks.count) tasks")
      }
      var seen = Set<ObjectIdentifier>()
      for (t, ps) in taskParameters.enumerated() {
        for p in ps where !seen.insert(ObjectIdentifier(p)).inserted {
          throw MTLStepError("MTLStep: a parameter of task '\(tasks[t].name)' (shape \(p.shape)) also belongs to another task's head; head parameter sets must be disjoint")
        }
      }
    }
    if let lossTerms {
      guard lossTerms.count == tasks.count else {
        throw MTLStepError("MTLStep: loss terms for \(lossTerms.count) tasks, expected \(tasks.count)")
      }
      for (t, terms) in lossTerms.enumerated() {
        guard !terms.isEmpty else { throw MTLStepError("MTLStep: task '\(tasks[t].name)' has an empty list of loss terms") }
        for (k, term) in terms.enumerated() where term.count != 1 {
          throw MTLStepError("MTLStep: loss term \(k) of task '\(tasks[t].name)' has shape \(term.shape); loss terms must be scalars")
        }
      }
    }
    self.tasks = tasks
    self.losses = losses
    self.lossTerms = lossTerms
    self.shared = shared
    self.sharedParameters = sharedParameters.filter(\.requiresGrad)
    self.taskParameters = taskParameters
    self.lastSharedParameters = lastSharedParameters ?? self.sharedParameters.last { $0.shape.count >= 2 }.map { [$0] } ?? []
    self.epoch = epoch
    self.iteration = iteration
    self.optimizer = optimizer
    self.evaluator = evaluator
    self.provided = provided
    self.methodName = methodName
    self.communicator = communicator
  }

  /// The losses' values.
  public var lossValues: [Float] { losses.map(\.item) }

  /// Throws when the step does not provide `need` (the method did not declare it).
  ///
  /// - Parameters:
  ///   - method: the method (or primitive) that needs it, for the message.
  ///   - what: what it is used for, in words.
  public func require(_ need: MethodRequirements, by method: String, for what: String) throws {
    let missing = need.subtracting(provided)
    guard missing.isEmpty else {
      let who = methodName.map { $0 == method ? $0 : "\($0) (in \(method))" } ?? method
      throw MTLStepError(
        "\(who) uses \(what) (MethodRequirements \(missing.swiftNames)), which it does not declare in its requirements; the step provides only what a method declares: \(provided.swiftNames)")
    }
  }

  /// The shared features and their per-task gradients, or an error naming the method that needs
  /// them (when the step has no shared features, or the method did not declare
  /// ``MethodRequirements/featureGradients``).
  public func requireShared(_ method: String) throws -> SharedFeatures {
    try require(.featureGradients, by: method, for: "per-task feature gradients")
    return try sharedFeatures(method)
  }

  /// The shared features, for the primitives every method uses (no requirement beyond the losses).
  func sharedFeatures(_ method: String) throws -> SharedFeatures {
    guard let shared else {
      throw MTLStepError("\(method) needs the shared features: run each task head on `SharedFeatures(encoderOutput, taskCount:)[t]` and pass it as `shared:`")
    }
    return shared
  }

  /// The head parameter sets, or an error naming the method that needs them.
  public func requireTaskParameters(_ method: String) throws -> [[Parameter]] {
    try require(.taskParameters, by: method, for: "the task heads' parameter sets")
    guard let taskParameters else {
      throw MTLStepError("\(method) needs each task head's parameters (`taskParameters:`) to weight decoder gradients")
    }
    return taskParameters
  }

  // MARK: Primitives

  /// Back-propagates `objective` (built from ``losses`` and the method's own parameters) into every
  /// leaf it reaches except the encoder, and returns each task's gradient with respect to the shared
  /// features (zeros for a task whose loss does not depend on them).
  ///
  /// With shared features, the pass stops at the per-task aliases, so it covers the decoders only.
  /// Without them it is an ordinary full backward pass and the result is empty.
  @discardableResult
  public func backwardDecoders(_ objective: Tensor) -> [Tensor] {
    guard let shared else {
      objective.backward()
      return []
    }
    for a in shared.aliases { a.grad = nil }
    objective.backward()
    let out = shared.aliases.map { $0.grad ?? Tensor.zeros($0.shape) }
    for a in shared.aliases { a.grad = nil }
    return out
  }

  /// Back-propagates a combined feature gradient (shape of `z`) through the encoder, once.
  public func backwardEncoder(_ featureGradient: Tensor) throws {
    let shared = try sharedFeatures("backwardEncoder")
    guard featureGradient.shape == shared.features.shape else {
      throw MTLStepError("backwardEncoder: feature gradient has shape \(featureGradient.shape), features have \(shared.features.shape)")
    }
    guard shared.features.requiresGrad else { return }
    shared.features.backward(featureGradient)
  }

  /// The per-task gradients at `level`, from the feature gradients of ``backwardDecoders(_:)``.
  ///
  /// At the representation level the rows are the flattened feature gradients (no extra work). At
  /// the parameter level each row is one encoder backward pass seeded with that task's feature
  /// gradient, over the shared parameters (T encoder passes; the encoder graph is retained). In a
  /// data-parallel step the parameter-level rows are then averaged over the ranks (one all-reduce
  /// of `T × D` floats), so every rank holds the global batch's task gradients.
  public func taskGradients(level: GradientLevel, featureGradients: [Tensor]) throws -> TaskGradients {
    let shared = try requireShared("taskGradients(level: .\(level.rawValue))")
    if level == .parameters {
      try require(.parameterGradients, by: "taskGradients(level: .parameters)", for: "per-task gradients of the shared parameters")
    }
    guard featureGradients.count == tasks.count else {
      throw MTLStepError("taskGradients: \(featureGradients.count) feature gradients for \(tasks.count) tasks")
    }
    switch level {
    case .representation:
      let d = shared.features.count
      var m = Tensor.uninitialized([tasks.count, d])
      m.withUnsafeMutableBufferPointer { dst in
        for (t, h) in featureGradients.enumerated() {
          h.withUnsafeBufferPointer { src in (dst.baseAddress! + t * d).update(from: src.baseAddress!, count: d) }
        }
      }
      return TaskGradients(level: .representation, matrix: m)
    case .parameters:
      let params = sharedParameters
      guard !params.isEmpty else {
        throw MTLStepError("taskGradients(level: .parameters): no trainable shared parameters were given (`sharedParameters:`)")
      }
      let d = params.reduce(0) { $0 + $1.value.count }
      var m = Tensor.zeros([tasks.count, d])
      let leaves = params.map(\.value)
      for (t, h) in featureGradients.enumerated() {
        guard shared.features.requiresGrad else { break }
        let grads = Autograd.gradients(of: [shared.features], seeds: [h], wrt: leaves, retainGraph: true)
        m.withUnsafeMutableBufferPointer { dst in
          var offset = t * d
          for (k, g) in grads.enumerated() {
            let n = leaves[k].count
            if let g {
              g.withUnsafeBufferPointer { src in (dst.baseAddress! + offset).update(from: src.baseAddress!, count: n) }
            }
            offset += n
          }
        }
      }
      if communicator.size > 1 {
        var rows = m.scalars
        try communicator.allReduceMean(&rows)
        m = Tensor(shape: m.shape, scalars: rows)
      }
      return TaskGradients(level: .parameters, matrix: m)
    }
  }

  /// Adds an aggregated gradient to the shared parameters: through the encoder (representation
  /// level, one backward pass) or directly into their gradient slots (parameter level).
  public func applySharedGradient(_ vector: Tensor, level: GradientLevel) throws {
    switch level {
    case .representation:
      let shared = try sharedFeatures("applySharedGradient")
      guard vector.count == shared.features.count else {
        throw MTLStepError("applySharedGradient: vector of \(vector.count) elements for features of shape \(shared.features.shape)")
      }
      try backwardEncoder(vector.reshaped(shared.features.shape))
    case .parameters:
      let d = sharedParameters.reduce(0) { $0 + $1.value.count }
      guard vector.count == d else {
        throw MTLStepError("applySharedGradient: vector of \(vector.count) elements for \(d) shared parameters")
      }
      var offset = 0
      vector.withUnsafeBufferPointer { src in
        for p in sharedParameters {
          let n = p.value.count
          var g = p.grad ?? Tensor.zeros(p.shape)
          g.withUnsafeMutableBufferPointer { dst in
            for i in 0..<n { dst[i] += src[offset + i] }
          }
          p.grad = g
          offset += n
        }
      }
    }
  }

  /// Multiplies the accumulated gradients of task `t`'s head parameters by `factor` (used after a
  /// decoder pass with unit weights, once the method has chosen the task's loss weight).
  public func scaleTaskParameterGradients(_ t: Int, by factor: Float) throws {
    let sets = try requireTaskParameters("scaleTaskParameterGradients")
    for p in sets[t] {
      guard var g = p.grad else { continue }
      g.withUnsafeMutableBufferPointer { b in for i in 0..<b.count { b[i] *= factor } }
      p.grad = g
    }
  }

  /// Euclidean norm of the shared parameters' accumulated gradients (in a data-parallel step,
  /// of the global batch's: the shared gradients are averaged over the ranks first, see
  /// ``reduceSharedGradients()``).
  public func sharedGradientNorm() throws -> Double {
    try reduceSharedGradients()
    var s = 0.0
    for p in sharedParameters {
      guard let g = p.grad else { continue }
      g.withUnsafeBufferPointer { b in for v in b { s += Double(v) * Double(v) } }
    }
    return s.squareRoot()
  }

  /// Scales the shared parameters' gradients so that their norm is at most `maxNorm`.
  @discardableResult
  public func clipSharedGradientNorm(_ maxNorm: Double) throws -> Double {
    let norm = try sharedGradientNorm()
    guard norm > maxNorm, norm > 0 else { return norm }
    let c = Float(maxNorm / norm)
    for p in sharedParameters {
      guard var g = p.grad else { continue }
      g.withUnsafeMutableBufferPointer { b in for i in 0..<b.count { b[i] *= c } }
      p.grad = g
    }
    return norm
  }
}
