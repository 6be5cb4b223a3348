import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// `toy-aux-discount`: the primary losses plus `aux_weight` times the auxiliary losses. The code
/// the DocC article "Adding a weighting method" shows.
final class ToyAuxiliaryDiscount: WeightingMethod {
  static let descriptor = MethodDescriptor(
    name: "toy-aux-discount", title: "Discounted auxiliaries (a test's toy)",
    reference: "None: a test's toy.",
    summary: "Minimises the primary losses plus aux_weight times the auxiliary losses.",
    kind: .lossWeighting, requirements: [.losses],
    options: [OptionSpec("aux_weight", default: "0.5", "weight of every auxiliary loss, in [0, 1]")],
    make: { ctx in
      var options = ctx.options
      return ToyAuxiliaryDiscount(tasks: ctx.tasks, auxiliaryWeight: try options.double("aux_weight", range: 0...1), resolved: options.resolved)
    })

  var descriptor: MethodDescriptor { Self.descriptor }
  let tasks: [TaskInfo]
  let weights: [Float]
  let resolvedOptions: [String: String]

  init(tasks: [TaskInfo], auxiliaryWeight: Double, resolved: [String: String]) {
    self.tasks = tasks
    self.weights = tasks.map { $0.role == .primary ? 1 : Float(auxiliaryWeight) }
    self.resolvedOptions = resolved
  }

  func backward(_ step: MTLStep) throws -> StepReport {
    try checkTasks(step)
    var total = step.losses[0].reshaped([]) * weights[0]
    for t in 1..<tasks.count { total = total + step.losses[t].reshaped([]) * weights[t] }
    let h = step.backwardDecoders(total)
    if !h.isEmpty { try step.backwardEncoder(h.dropFirst().reduce(h[0]) { $0 + $1 }) }
    var report = StepReport()
    report.set("weight", weights, tasks: tasks)
    return report
  }
}

/// A weighting method outside the registry is made from its descriptor, with the registry's
/// checks, and steps through the ``StepDriver`` like a registered one.
@Suite("Adding a weighting method")
struct ToyMethodTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("the toy steps through the driver; with aux_weight 1 it is exactly ew")
  func toyMatchesEqualWeightingAtOne() throws {
    func parametersAfterStep(_ make: () throws -> any WeightingMethod) throws -> ([[Float]], StepReport) {
      let problem = try LossFixtureProblem()
      let report = try problem.driver(try make(), optimizer: problem.sgd(lr: 0.1)).step(problem.batch()).report
      return (problem.named.map { $0.1.value.scalars }, report)
    }
    let (ew, _) = try parametersAfterStep { try MethodRegistry.make("ew", tasks: Self.tasks) }
    let (one, _) = try parametersAfterStep {
      try MethodRegistry.make(ToyAuxiliaryDiscount.descriptor, tasks: Self.tasks, options: ["aux_weight": "1"])
    }
    #expect(one == ew)
    let (quarter, report) = try parametersAfterStep {
      try MethodRegistry.make(ToyAuxiliaryDiscount.descriptor, tasks: Self.tasks, options: ["aux_weight": "0.25"])
    }
    #expect(quarter != ew)
    #expect(report.values["weight/a"] == 1 && report.values["weight/b"] == 0.25 && report.values["weight/c"] == 0.25)
  }

  @Test("its options are checked like a registered method's")
  func optionsAreChecked() throws {
    let made = try MethodRegistry.make(ToyAuxiliaryDiscount.descriptor, tasks: Self.tasks)
    #expect(made.resolvedOptions == ["aux_weight": "0.5"])
    #expect(throws: MethodOptionError.self) {
      try MethodRegistry.make(ToyAuxiliaryDiscount.descriptor, tasks: Self.tasks, options: ["aux_weigth": "0.5"])
    }
    #expect(throws: MethodOptionError.self) {
      try MethodRegistry.make(ToyAuxiliaryDiscount.descriptor, tasks: Self.tasks, options: ["aux_weight": "2"])
    }
    #expect(MethodRegistry.descriptor(named: "toy-aux-discount") == nil)
  }
}
