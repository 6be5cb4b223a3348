import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// MGDA and MGDA-UB against the fixture (exact min-norm by enumeration, reference Frank–Wolfe
/// replica) on the linear problem, and a tiny two-task problem where MGDA reaches its known
/// solution.
@Suite("MGDA")
struct MGDATests {
  static func run(_ name: String, _ options: [String: String]) throws -> (LinearTaskProblem, StepReport) {
    let p = LinearTaskProblem()
    let m = try MethodRegistry.make(name, tasks: p.tasks, options: options)
    let report = try m.backward(p.makeStep())
    return (p, report)
  }

  static func check(_ p: LinearTaskProblem, _ report: StepReport, _ key: String, rtol: Double = 1e-4) {
    let w = GradientFixtures.vector(GradientFixtures.method("\(key)/weights"))
    #expect(agree(p.tasks.map { report.values["weight/\($0.name)"]! }, w, rtol: rtol), "\(key) weights")
    #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method("\(key)/encoder_grad")), rtol: rtol), "\(key) encoder")
    #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("\(key)/head_grads")), rtol: rtol), "\(key) heads")
  }

  @Test("mgda with the exact solver: weights on the losses, heads scaled, for every normalisation", arguments: ["none", "l2", "loss", "loss+"])
  func exactNormalizations(normalization: String) throws {
    let (p, report) = try Self.run("mgda", ["normalization": normalization, "solver": "exact"])
    Self.check(p, report, "mgda_exact_\(normalization)")
  }

  @Test("mgda with solver = frank-wolfe (no normalisation) equals the reference solver's replica")
  func frankWolfeOption() throws {
    let (p, report) = try Self.run("mgda", ["solver": "frank-wolfe"])
    Self.check(p, report, "mgda_fw_none")
  }

  @Test("mgda's default solver is the exact one")
  func exactDefault() throws {
    let (p, report) = try Self.run("mgda", [:])
    Self.check(p, report, "mgda_exact_none")
    #expect(report.solvers.map(\.solver) == ["min-norm (Wolfe)"])
  }

  @Test("mgda-ub works on ∂L/∂z: a different answer from mgda on the same problem")
  func upperBound() throws {
    let (p, report) = try Self.run("mgda-ub", ["normalization": "loss+", "solver": "exact"])
    Self.check(p, report, "mgda-ub_exact_loss+")
    let (q, r2) = try Self.run("mgda-ub", ["solver": "frank-wolfe"])
    Self.check(q, r2, "mgda-ub_fw_none")
    let param = GradientFixtures.vector(GradientFixtures.method("mgda_fw_none/weights"))
    #expect(!agree(q.tasks.map { r2.values["weight/\($0.name)"]! }, param, rtol: 1e-3))
  }

  @Test("two tasks ‖x − a‖², ‖x − b‖²: MGDA descends straight to the projection of x₀ onto the Pareto set [a, b]")
  func reachesKnownSolution() throws {
    // The min-norm combination of 2(x − a) and 2(x − b) is 2(x − p), p the point of segment [a, b]
    // closest to x; the step moves x towards p without changing p, so x → projection of x₀.
    let tasks = [TaskInfo("one", role: .primary), TaskInfo("two", role: .primary)]
    let a = Tensor([-1, 0])
    let b = Tensor([2, 0])
    for (start, limit) in [([Float(1), 2], [Float(1), 0]), ([4, 1], [2, 0]), ([-3, -2], [-1, 0])] {
      for name in ["mgda", "mgda-ub"] {
        let x = Parameter(Tensor(start))
        let method = try MethodRegistry.make(name, tasks: tasks, options: ["solver": "exact"])
        let opt = SGD([ParameterGroup(name: "x", parameters: [("x", x)], learningRate: 0.1)])
        for _ in 0..<200 {
          opt.zeroGrad()
          let shared = SharedFeatures(x.value * 1, taskCount: 2)
          let losses = [(shared[0] - a).pow(2).sum(), (shared[1] - b).pow(2).sum()]
          _ = try method.backward(MTLStep(tasks: tasks, losses: losses, shared: shared, sharedParameters: [x], taskParameters: [[], []]))
          opt.step()
        }
        #expect(agree(x.value.scalars, limit.map(Double.init), rtol: 0, atol: 1e-5), "\(name) from \(start): \(x.value.scalars)")
      }
    }
  }

  @Test("a zero loss under loss normalisation leaves the task out; zero gradients give no NaN")
  func degenerate() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("a", role: .auxiliary)]
    let e = Parameter(Tensor([1, 2]))
    let head = Parameter(Tensor([1]))
    let shared = SharedFeatures(e.value * 1, taskCount: 2)
    // Task a's loss is identically zero: no gradient, zero loss.
    let losses = [(shared[0] * Tensor([1, -1])).sum() * head.value + 5, (shared[1] * 0).sum()]
    let step = try MTLStep(tasks: tasks, losses: losses, shared: shared, sharedParameters: [e], taskParameters: [[head], []])
    let m = try MethodRegistry.make("mgda", tasks: tasks, options: ["normalization": "loss"])
    let report = try m.backward(step)
    #expect(report.values["weight/a"] == 0 && report.values["weight/p"] == 1)
    #expect(report.notes.contains { $0.contains("left out") })
    #expect(e.grad!.scalars == [1, -1])

    let e2 = Parameter(Tensor([1, 2]))
    let s2 = SharedFeatures(e2.value * 1, taskCount: 2)
    let zero = try MTLStep(tasks: tasks, losses: [(s2[0] * 0).sum(), (s2[1] * 0).sum()], shared: s2, sharedParameters: [e2], taskParameters: [[], []])
    let r2 = try MethodRegistry.make("mgda", tasks: tasks).backward(zero)
    #expect(r2.values.values.allSatisfy { $0.isFinite })
    #expect(r2.notes.contains { $0.contains("uniform") })
    #expect((e2.grad?.scalars ?? [0, 0]).allSatisfy { $0 == 0 })
  }

  @Test("mgda refuses a step without head parameters, by name")
  func needsHeads() throws {
    let p = LinearTaskProblem()
    let m = try MethodRegistry.make("mgda", tasks: p.tasks)
    let z = p.encoder.value * p.scale
    let shared = SharedFeatures(z, taskCount: 3)
    let losses = (0..<3).map { (shared[$0] * p.directions[$0]).sum() }
    let step = try MTLStep(tasks: p.tasks, losses: losses, shared: shared, sharedParameters: [p.encoder])
    #expect(throws: MTLStepError.self) { try m.backward(step) }
    #expect(p.encoder.grad == nil)
  }
}
