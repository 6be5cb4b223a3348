import AuxEngine

/// A set of parameters that share optimiser hyper-parameters (PyTorch's param groups).
///
/// The IAL reference code, for example, puts the encoder, the heads and the uncertainty weights in
/// three groups; a learning-rate schedule scales every group's ``baseLearningRate``.
public struct ParameterGroup {
  /// A label for logs and checkpoints (e.g. `"encoder"`).
  public var name: String
  /// The parameters, with the names used for optimiser state in checkpoints.
  public var parameters: [(name: String, parameter: Parameter)]
  /// The learning rate before scheduling.
  public var baseLearningRate: Float
  /// The learning rate in effect (set by a schedule; starts at the base rate).
  public var learningRate: Float
  /// L2 penalty (SGD, Adam) or decoupled decay (AdamW).
  public var weightDecay: Float

  public init(name: String, parameters: [(name: String, parameter: Parameter)], learningRate: Float, weightDecay: Float = 0) {
    self.name = name
    self.parameters = parameters
    self.baseLearningRate = learningRate
    self.learningRate = learningRate
    self.weightDecay = weightDecay
  }

  /// A group holding every parameter of `module`, named by their dotted names.
  public init(name: String = "all", module: Module, learningRate: Float, weightDecay: Float = 0) {
    self.init(name: name, parameters: module.namedParameters().map { (name: $0.0, parameter: $0.1) }, learningRate: learningRate, weightDecay: weightDecay)
  }
}

extension ParameterGroup {
  /// Stops the program when a parameter object or a parameter name occurs more than once across
  /// `groups` (optimiser state is keyed by both; PyTorch refuses such groups too).
  static func checkDistinct(_ groups: [ParameterGroup], op: String) {
    var names = Set<String>()
    var objects = Set<ObjectIdentifier>()
    for g in groups {
      for (name, p) in g.parameters {
        precondition(names.insert(name).inserted, "\(op): parameter name '\(name)' occurs more than once in the parameter groups")
        precondition(objects.insert(ObjectIdentifier(p)).inserted, "\(op): parameter '\(name)' (shape \(p.shape)) appears in more than one group")
      }
    }
  }
}

/// An optimiser updates parameters from their accumulated gradients.
///
/// Update rules match PyTorch's `torch.optim` exactly (tested against fixtures), so results are
/// comparable with PyTorch code bases. Parameters whose gradient is nil are skipped, as in PyTorch.
public protocol Optimizer: AnyObject {
  /// The parameter groups; schedules change their `learningRate`.
  var groups: [ParameterGroup] { get set }
  /// Applies one update to every parameter that has a gradient.
  func step()
  /// The optimiser's internal state (moments, step counts) by `"<param name>.<state name>"`.
  func stateDict() -> [String: Tensor]
  /// Restores state saved by ``stateDict()``.
  func loadStateDict(_ state: [String: Tensor]) throws
  /// The update the next ``step()`` would make to `parameter` (of group `group`) if its gradient
  /// were `gradient`, computed without changing the parameter or the optimiser's state: the
  /// virtual step of look-ahead methods (Auto-Lambda).
  ///
  /// ``SGD``, ``Adam`` and ``AdamW`` implement it with the arithmetic of their ``step()``, so that
  /// the virtual value equals the stepped one bit for bit. An optimiser that does not implement it
  /// gets the default, which throws ``VirtualStepUnsupportedError``.
  func virtualUpdate(of parameter: Parameter, inGroup group: Int, gradient: Tensor) throws -> VirtualUpdate
}

extension Optimizer {
  /// Clears the gradient of every parameter in every group.
  public func zeroGrad() {
    for g in groups { for (_, p) in g.parameters { p.zeroGrad() } }
  }

  /// Every parameter with its group index.
  public var allParameters: [(group: Int, name: String, parameter: Parameter)] {
    groups.enumerated().flatMap { gi, g in g.parameters.map { (group: gi, name: $0.name, parameter: $0.parameter) } }
  }
}

/// The optimiser state being restored does not match the optimiser.
public struct OptimizerStateError: Error, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
