import AuxEngine
import AuxMTL
import AuxNN
import Testing

@Suite("EW and the step machinery")
struct EqualWeightingTests {
  static let tasks = [TaskInfo("a", role: .primary), TaskInfo("b", role: .auxiliary), TaskInfo("c", role: .auxiliary)]

  @Test("EW through decoder + encoder passes equals one backward of the summed loss")
  func equalsPlainSum() throws {
    let toy = MTLToyProblem(tasks: Self.tasks)
    let ew = try MethodRegistry.make("ew", tasks: Self.tasks)
    _ = try ew.backward(toy.makeStep())
    let viaMethod = [toy.encoder.grad!] + toy.heads.flatMap { $0.parameters().map { $0.grad! } }

    let ref = MTLToyProblem(tasks: Self.tasks)
    var total = Tensor(0)
    for t in 0..<3 { total = total + (ref.heads[t](ref.encoder.value) - ref.targets[t]).pow(2).mean() }
    total.backward()
    let plain = [ref.encoder.grad!] + ref.heads.flatMap { $0.parameters().map { $0.grad! } }
    for (a, b) in zip(viaMethod, plain) { #expect(maxAbsDiff(a, b) < 1e-6) }
  }

  @Test("parameter-level task gradients equal per-task autograd gradients; representation level equals ∂L_t/∂z")
  func taskGradientLevels() throws {
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 9)
    let step = try toy.makeStep()
    var objective = step.losses[0]
    for l in step.losses.dropFirst() { objective = objective + l }
    let h = step.backwardDecoders(objective)
    let rep = try step.taskGradients(level: .representation, featureGradients: h)
    let params = try step.taskGradients(level: .parameters, featureGradients: h)
    let raw = toy.rawFeatureGradients()
    for t in 0..<3 {
      #expect(maxAbsDiff(rep.row(t), raw[t].flattened()) < 1e-6)
      // z = E · 1, so the parameter gradient equals the feature gradient here.
      #expect(maxAbsDiff(params.row(t), raw[t].flattened()) < 1e-6)
    }
    let k = rep.gramian()
    let r0 = rep.row(0).scalars
    let r1 = rep.row(1).scalars
    let dot = zip(r0, r1).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(abs(k[0][1] - dot) < 1e-5 * max(1, abs(dot)))
    let combo = rep.combine([1, -2, 0.5])
    let manual = zip(zip(r0, r1), rep.row(2).scalars).map { $0.0 - 2 * $0.1 + 0.5 * $1 }
    #expect(zip(combo.scalars, manual).allSatisfy { abs($0 - $1) < 1e-6 })
  }

  @Test("bad steps are refused with messages")
  func badSteps() throws {
    let toy = MTLToyProblem(tasks: Self.tasks)
    #expect(throws: MTLStepError.self) { try MTLStep(tasks: Self.tasks, losses: [Tensor(1)]) }
    #expect(throws: MTLStepError.self) {
      try MTLStep(tasks: Self.tasks, losses: [Tensor(1), Tensor(1), Tensor([1, 2])])
    }
    let shared = toy.heads[0].parameters()
    #expect(throws: MTLStepError.self) {
      try MTLStep(tasks: Self.tasks, losses: [Tensor(1), Tensor(1), Tensor(1)], taskParameters: [shared, shared, []])
    }
    #expect(throws: MethodOptionError.self) { try MethodRegistry.make("no-such-method", tasks: Self.tasks) }
  }
}
