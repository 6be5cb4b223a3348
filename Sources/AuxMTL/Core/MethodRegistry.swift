/// Every weighting method, by name.
///
/// ```swift
/// let method = try MethodRegistry.make("ial", tasks: tasks, options: ["sign_mask": "false"])
/// for d in MethodRegistry.all { print(d.name, d.title) }
/// ```
public enum MethodRegistry {
  /// All registered methods: IAL and its ablation variants (the IAL paper's §IV-G), then the
  /// baselines in the order of the IAL paper's tables, then the modern methods.
  public static let all: [MethodDescriptor] = [
    ImpartialAuxiliaryLearning.descriptor,
  ] + IALAblation.descriptors + [
    AutoLambdaImpartial.descriptor,
    EqualWeighting.descriptor,
    UncertaintyWeighting.descriptor,
    GradNorm.descriptor,
    DynamicWeightAverage.descriptor,
    MultipleGradientDescent.descriptor,
    MultipleGradientDescent.upperBoundDescriptor,
    ProjectingConflictingGradients.descriptor,
    RandomLossWeighting.descriptor,
    IMTLLossBalance.descriptor,
    IMTLGradientBalance.descriptor,
    IMTLHybrid.descriptor,
    AutoLambda.descriptor,
    GradientCosineSimilarity.descriptor,
    OnlineAuxiliaryLearning.descriptor,
    ATWApproximation.descriptor,
    PUWApproximation.descriptor,
    UncertaintyWeightingPerObjective.descriptor,
    ConflictAverseGradient.descriptor,
    NashMTL.descriptor,
    AlignedMTL.descriptor,
    AlignedMTL.upperBoundDescriptor,
    FAMO.descriptor,
    DualBalancing.descriptor,
    GradientVaccine.descriptor,
    GradientSignDropout.descriptor,
    UPGrad.descriptor,
    GeometricLossStrategy.descriptor,
    SmoothTchebycheff.descriptor,
    FairGrad.descriptor,
    ExcessMTL.descriptor,
    MoCo.descriptor,
    MoDo.descriptor,
    SDMGrad.descriptor,
    MetaBalance.descriptor,
    PrimaryAwareProjection.pcgradDescriptor,
    PrimaryAwareProjection.gradvacDescriptor,
    PostTraining.descriptor,
  ]

  /// The descriptor named `name` (case-insensitive), or nil.
  public static func descriptor(named name: String) -> MethodDescriptor? {
    all.first { $0.name == name.lowercased() }
  }

  /// Makes the method `name` for `tasks`.
  ///
  /// - Throws: ``MethodOptionError`` for an unknown method (listing the known ones), an unknown
  ///   option or a bad value; ``MTLStepError`` when the tasks do not suit the method (e.g. IAL
  ///   without an auxiliary task).
  public static func make(
    _ name: String, tasks: [TaskInfo], options: [String: String] = [:], seed: UInt64 = 0
  ) throws -> any WeightingMethod {
    guard let d = descriptor(named: name) else {
      throw MethodOptionError(method: name, "unknown method; known methods: \(all.map(\.name).joined(separator: ", "))")
    }
    return try make(d, tasks: tasks, options: options, seed: seed)
  }

  /// Makes the method `d` describes for `tasks`, with the checks of ``make(_:tasks:options:seed:)``
  /// (tasks, options), whether or not `d` is in ``all``: how a new method is tried before it is
  /// registered, and how tests make methods of their own.
  ///
  /// - Throws: ``MethodOptionError`` for an unknown option or a bad value; ``MTLStepError`` when
  ///   the tasks do not suit the method.
  public static func make(
    _ d: MethodDescriptor, tasks: [TaskInfo], options: [String: String] = [:], seed: UInt64 = 0
  ) throws -> any WeightingMethod {
    guard !tasks.isEmpty else { throw MTLStepError("\(d.name): no tasks given") }
    let names = tasks.names
    guard Set(names).count == names.count else { throw MTLStepError("\(d.name): task names must be unique, got \(names)") }
    guard !tasks.primaryIndices.isEmpty else {
      throw MTLStepError("\(d.name): at least one task must be primary (tasks: \(names.joined(separator: ", ")))")
    }
    if d.auxiliaryOnly && tasks.auxiliaryIndices.isEmpty {
      throw MTLStepError("\(d.name) is an auxiliary-learning method: mark at least one task as auxiliary")
    }
    let parsed = MethodOptions(method: d.name, specs: d.options, given: options)
    try parsed.finish()
    return try d.make(MethodContext(descriptor: d, tasks: tasks, options: parsed, seed: seed))
  }
}
