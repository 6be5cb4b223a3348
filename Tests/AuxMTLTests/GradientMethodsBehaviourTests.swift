import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// The registry-wide promises, checked for the gradient-based methods of this family: finite
/// outputs, determinism under a seed, exact state round-trips, auxiliary-order invariance where
/// claimed, and no NaN with zero gradients or zero losses.
@Suite("Gradient methods: behaviour")
struct GradientMethodsBehaviourTests {
  static let names = [
    "mgda", "mgda-ub", "pcgrad", "imtl-g", "imtl", "gcs", "cagrad", "nash-mtl", "aligned-mtl", "aligned-mtl-ub",
    "gradvac", "graddrop", "upgrad",
  ]

  struct Outcome: Equatable {
    var encoder: [Float]
    var heads: [Float]
    var report: StepReport
  }

  static func run(_ method: any WeightingMethod, _ p: LinearTaskProblem) throws -> Outcome {
    p.zeroGrad()
    for q in method.parameters { q.parameter.zeroGrad() }
    let r = try method.backward(p.makeStep())
    return Outcome(encoder: p.encoderGrad, heads: p.headGrads, report: r)
  }

  @Test("registered, documented, and every output finite", arguments: names)
  func registeredAndFinite(name: String) throws {
    let d = try #require(MethodRegistry.descriptor(named: name))
    #expect(!d.reference.isEmpty && !d.summary.isEmpty)
    let p = LinearTaskProblem()
    let o = try Self.run(MethodRegistry.make(name, tasks: p.tasks, seed: 4), p)
    #expect(o.encoder.allSatisfy(\.isFinite) && o.heads.allSatisfy(\.isFinite))
    #expect(o.report.values.values.allSatisfy { $0.isFinite })
    #expect(p.tasks.allSatisfy { o.report.values["weight/\($0.name)"] != nil })
    #expect(o.encoder.contains { $0 != 0 })
  }

  @Test("same seed, same outputs over three steps; a restored state continues identically", arguments: names)
  func determinismAndState(name: String) throws {
    let p = LinearTaskProblem()
    let a = try MethodRegistry.make(name, tasks: p.tasks, seed: 21)
    let b = try MethodRegistry.make(name, tasks: p.tasks, seed: 21)
    var saved: [String: Tensor] = [:]
    var afterSave: [Outcome] = []
    for step in 0..<3 {
      let oa = try Self.run(a, p)
      let ob = try Self.run(b, p)
      #expect(oa == ob, "\(name) step \(step)")
      if step == 0 { saved = a.stateDict() } else { afterSave.append(oa) }
    }
    let c = try MethodRegistry.make(name, tasks: p.tasks, seed: 99)
    try c.loadStateDict(saved)
    for (k, expected) in afterSave.enumerated() {
      #expect(try Self.run(c, p) == expected, "\(name) restored step \(k + 1)")
    }
  }

  @Test("auxiliary-order invariance where the descriptor claims it", arguments: names)
  func auxiliaryOrder(name: String) throws {
    let d = try #require(MethodRegistry.descriptor(named: name))
    guard d.auxiliaryOrderInvariant else { return }
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("a", role: .auxiliary), TaskInfo("b", role: .auxiliary)]
    let swapped = [tasks[0], tasks[2], tasks[1]]
    let p = LinearTaskProblem(tasks: tasks, rows: [0, 1, 2])
    let q = LinearTaskProblem(tasks: swapped, rows: [0, 2, 1])
    let o1 = try Self.run(MethodRegistry.make(name, tasks: tasks, seed: 2), p)
    let o2 = try Self.run(MethodRegistry.make(name, tasks: swapped, seed: 2), q)
    #expect(agree(o2.encoder, o1.encoder.map(Double.init), rtol: 1e-5), "\(name)")
    #expect(agree(o2.heads, [o1.heads[0], o1.heads[2], o1.heads[1]].map(Double.init), rtol: 1e-5), "\(name)")
    for t in tasks {
      let w1 = Double(o1.report.values["weight/\(t.name)"]!)
      let w2 = Double(o2.report.values["weight/\(t.name)"]!)
      #expect(abs(w1 - w2) <= 1e-5 * max(1, abs(w1)), "\(name) weight of \(t.name)")
    }
  }

  @Test("a task with zero loss and zero gradient, and all tasks so: no NaN", arguments: names)
  func zeroGradients(name: String) throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("a", role: .auxiliary), TaskInfo("b", role: .auxiliary)]
    for zero in [Set([1]), Set([0, 1, 2])] {
      let p = LinearTaskProblem(tasks: tasks, zeroTasks: zero)
      let o = try Self.run(MethodRegistry.make(name, tasks: tasks, seed: 1), p)
      #expect(o.encoder.allSatisfy(\.isFinite) && o.heads.allSatisfy(\.isFinite), "\(name) zero \(zero)")
      #expect(o.report.values.values.allSatisfy { $0.isFinite }, "\(name) zero \(zero): \(o.report)")
      if zero.count == 3 { #expect(o.encoder.allSatisfy { $0 == 0 }, "\(name)") }
    }
  }
}
