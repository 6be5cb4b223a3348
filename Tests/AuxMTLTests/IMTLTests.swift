import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// IMTL-G and IMTL against torchjd's `IMTLG` on the linear problem, at both levels.
@Suite("IMTL")
struct IMTLTests {
  @Test("IMTLGSolver equals torchjd's IMTLG on the fixture Jacobians", arguments: 0..<GradientFixtures.caseCount)
  func solver(k: Int) {
    let w = IMTLGSolver.weights(gramian: gramian(GradientFixtures.jacobian(k)))!
    #expect(agree(w, GradientFixtures.vector(GradientFixtures.solver("case\(k)/imtlg")), rtol: 1e-4), "case \(k)")
  }

  @Test("imtl-g at the representation (default) and parameter levels", arguments: ["representation", "parameters"])
  func imtlG(level: String) throws {
    let p = LinearTaskProblem()
    let report = try MethodRegistry.make("imtl-g", tasks: p.tasks, options: ["level": level]).backward(p.makeStep())
    let key = level == "representation" ? "imtl-g_rep" : "imtl-g_param"
    #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method("\(key)/encoder_grad"))))
    #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("\(key)/head_grads"))))
    #expect(agree(p.tasks.map { report.values["weight/\($0.name)"]! }, GradientFixtures.vector(GradientFixtures.method("\(key)/weights"))))
  }

  @Test("imtl: IMTL-G on the e^s-scaled losses for the encoder; heads and s get the un-α-weighted gradient")
  func hybrid() throws {
    let p = LinearTaskProblem()
    let m = try MethodRegistry.make("imtl", tasks: p.tasks) as! IMTLHybrid
    m.logScale.assign(GradientFixtures.method("imtl_rep/log_scale"))
    let report = try m.backward(p.makeStep())
    #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method("imtl_rep/encoder_grad"))))
    #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("imtl_rep/head_grads"))))
    #expect(agree(m.logScale.grad!.scalars, GradientFixtures.vector(GradientFixtures.method("imtl_rep/log_scale_grad"))))
    #expect(agree(p.tasks.map { report.values["weight/\($0.name)"]! }, GradientFixtures.vector(GradientFixtures.method("imtl_rep/weights"))))
    let state = m.stateDict()
    let other = try MethodRegistry.make("imtl", tasks: p.tasks) as! IMTLHybrid
    try other.loadStateDict(state)
    #expect(other.logScale.value.scalars == m.logScale.value.scalars)
  }

  @Test("all-zero gradients: no shared gradient, a note, no NaN")
  func zero() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("a", role: .auxiliary)]
    let e = Parameter(Tensor([1, 2]))
    let s = SharedFeatures(e.value * 1, taskCount: 2)
    let step = try MTLStep(tasks: tasks, losses: [(s[0] * 0).sum(), (s[1] * 0).sum()], shared: s, sharedParameters: [e])
    let r = try MethodRegistry.make("imtl-g", tasks: tasks).backward(step)
    #expect(r.notes.count == 1 && r.values["weight/p"] == 0)
    #expect((e.grad?.scalars ?? [0, 0]) == [0, 0])
  }
}
