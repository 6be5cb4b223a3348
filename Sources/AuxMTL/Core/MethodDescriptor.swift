/// What a weighting method needs from the training step.
///
/// The ``StepDriver`` gives a method exactly what its ``WeightingMethod/requirements`` name: an
/// ``MTLStep`` it builds answers a use of anything else with an ``MTLStepError`` that names the
/// missing requirement, so a method's declaration is checked every time it runs.
public struct MethodRequirements: OptionSet, Sendable, Hashable, CustomStringConvertible {
  public let rawValue: Int
  public init(rawValue: Int) { self.rawValue = rawValue }

  /// Only the task losses (loss-weighting methods).
  public static let losses = MethodRequirements(rawValue: 1 << 0)
  /// Per-task gradients with respect to the shared features (``SharedFeatures``).
  public static let featureGradients = MethodRequirements(rawValue: 1 << 1)
  /// Per-task gradients with respect to the shared parameters (T encoder backward passes).
  public static let parameterGradients = MethodRequirements(rawValue: 1 << 2)
  /// Each task head's parameters, to weight decoder gradients after seeing feature gradients.
  public static let taskParameters = MethodRequirements(rawValue: 1 << 3)
  /// A ``LossEvaluator`` to recompute losses (look-ahead or post-step evaluation).
  public static let lossEvaluator = MethodRequirements(rawValue: 1 << 4)
  /// A second ("validation") batch in the evaluator.
  public static let validationBatch = MethodRequirements(rawValue: 1 << 5)
  /// The optimiser, for a virtual step (``AuxNN/Optimizer/virtualUpdate(of:inGroup:gradient:)``).
  public static let optimizer = MethodRequirements(rawValue: 1 << 6)

  /// Everything (what a hand-built ``MTLStep`` provides unless told otherwise).
  public static let all: MethodRequirements = [
    .losses, .featureGradients, .parameterGradients, .taskParameters, .lossEvaluator, .validationBatch, .optimizer,
  ]

  /// The requirement's name in Swift (`featureGradients`), for error messages.
  var swiftNames: String {
    let names: [(MethodRequirements, String)] = [
      (.losses, "losses"), (.featureGradients, "featureGradients"), (.parameterGradients, "parameterGradients"),
      (.taskParameters, "taskParameters"), (.lossEvaluator, "lossEvaluator"), (.validationBatch, "validationBatch"),
      (.optimizer, "optimizer"),
    ]
    return names.filter { contains($0.0) }.map { ".\($0.1)" }.joined(separator: ", ")
  }

  public var description: String {
    let names: [(MethodRequirements, String)] = [
      (.losses, "losses"), (.featureGradients, "feature gradients"), (.parameterGradients, "parameter gradients"),
      (.taskParameters, "task-head parameters"), (.lossEvaluator, "loss re-evaluation"),
      (.validationBatch, "a validation batch"), (.optimizer, "the optimiser"),
    ]
    return names.filter { contains($0.0) }.map(\.1).joined(separator: ", ")
  }
}

/// How a method turns per-task information into an update.
public enum MethodKind: String, Sendable {
  /// (A) Loss weights λ_t applied to the losses, hence to shared and task parameters alike.
  case lossWeighting = "loss weighting"
  /// (B) An aggregated shared gradient; task heads get the gradient of Σ L_t.
  case gradientAggregation = "gradient aggregation"
  /// Neither, e.g. IAL's separate decoder and encoder stages.
  case twoStage = "two-stage"
}

/// One option a method accepts, with its default and what it means.
public struct OptionSpec: Sendable {
  public let name: String
  public let defaultValue: String
  public let help: String
  /// The allowed values for a choice option (nil for free values).
  public let allowed: [String]?

  public init(_ name: String, default defaultValue: String, _ help: String, allowed: [String]? = nil) {
    self.name = name
    self.defaultValue = defaultValue
    self.help = help
    self.allowed = allowed
  }
}

/// Registry metadata of a weighting method.
public struct MethodDescriptor: Sendable {
  /// Registry name, lower case with dashes (e.g. `"ial"`, `"mgda-ub"`).
  public let name: String
  /// Human-readable name.
  public let title: String
  /// The paper (authors, venue, year) and where our implementation's conventions come from.
  public let reference: String
  /// One or two sentences on what it does.
  public let summary: String
  public let kind: MethodKind
  /// What it needs with its default options.
  public let requirements: MethodRequirements
  /// Options with defaults.
  public let options: [OptionSpec]
  /// Whether only the primary/auxiliary split makes sense for it (IAL, GCS, OL-AUX).
  public let auxiliaryOnly: Bool
  /// Whether it treats primary and auxiliary tasks differently (every auxiliary-only method, and
  /// e.g. Auto-Lambda's auxiliary mode); `auxmtl methods` marks these.
  public let primaryAware: Bool
  /// Whether reordering the auxiliary tasks permutes its outputs accordingly and nothing else.
  public let auxiliaryOrderInvariant: Bool
  /// Whether the method is our reconstruction of an underspecified paper (ATW, PUW, Miraliev).
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
  /// Makes an instance.
  public let make: @Sendable (MethodContext) throws -> any WeightingMethod

  public init(
    name: String, title: String, reference: String, summary: String, kind: MethodKind,
    requirements: MethodRequirements, options: [OptionSpec] = [], auxiliaryOnly: Bool = false,
    primaryAware: Bool? = nil, auxiliaryOrderInvariant: Bool = true, isApproximation: Bool = false,
    dataParallel: Bool = false, make: @escaping @Sendable (MethodContext) throws -> any WeightingMethod
  ) {
    self.name = name
    self.title = title
    self.reference = reference
    self.summary = summary
    self.kind = kind
    self.requirements = requirements
    self.options = options
    self.auxiliaryOnly = auxiliaryOnly
    self.primaryAware = primaryAware ?? auxiliaryOnly
    self.auxiliaryOrderInvariant = auxiliaryOrderInvariant
    self.isApproximation = isApproximation
    self.dataParallel = dataParallel
    self.make = make
  }
}

/// What a method's factory receives: the tasks, the options and a seed.
public struct MethodContext {
  public let descriptor: MethodDescriptor
  public let tasks: [TaskInfo]
  public var options: MethodOptions
  /// Seed for methods that draw random numbers (RLW, PCGrad, GradDrop, …).
  public let seed: UInt64
}
