import AuxEngine
import AuxMTL
import Testing

/// Solver statuses in step reports, and the run-level counts built from them.
@Suite("Solver status")
struct SolverStatusTests {
  @Test("counts: steps without solvers are not counted; non-converged and fallback steps are, with the last problem")
  func counts() {
    var c = SolverCounts()
    let empty = c.add(StepReport(), step: 1)
    #expect(!empty)
    #expect(c.solvedSteps == 0 && c.isClean)
    var ok = StepReport()
    ok.record(SolverStatus(solver: "a", converged: true, iterations: 3, residual: 1e-16))
    #expect(ok.notes.isEmpty)
    let clean = c.add(ok, step: 2)
    #expect(!clean)
    var bad = StepReport()
    bad.record(SolverStatus(solver: "a", converged: false, iterations: 500))
    bad.record(SolverStatus(solver: "b", converged: true, iterations: 2, fallback: "kept the previous weights"))
    #expect(bad.notes.count == 2)
    #expect(bad.hasNonConvergedSolver && bad.hasSolverFallback)
    let problem = c.add(bad, step: 3)
    #expect(problem)
    #expect(c.solvedSteps == 2 && c.nonConvergedSteps == 1 && c.fallbackSteps == 1 && c.iterations == 505)
    #expect(c.lastProblem?.hasPrefix("step 3: a: NOT converged after 500 iterations") == true)
    #expect(c.lastProblem?.contains("fallback: kept the previous weights") == true)
    #expect(!c.isClean)
  }

  @Test("nash-mtl reports a fallback (previous weights kept) when its system has no solution, and a converged solve otherwise")
  func nashFallback() throws {
    // Exactly opposite gradients: 0 lies in their hull and (Kα)_t = 1/α_t has no solution.
    let p = JacobianProblem(rows: [[1, 2, -1], [-1, -2, 1]])
    let m = try MethodRegistry.make("nash-mtl", tasks: p.tasks)
    let report = try p.run(m)
    #expect(report.solvers.count == 1)
    #expect(report.solvers[0].converged == false)
    #expect(report.solvers[0].fallback?.contains("previous weights") == true)
    let fine = JacobianProblem(rows: [[1, 0, 0], [0.2, 1, 0]])
    let r2 = try fine.run(try MethodRegistry.make("nash-mtl", tasks: fine.tasks))
    #expect(r2.solvers.count == 1 && r2.solvers[0].converged && r2.solvers[0].fallback == nil)
  }

  @Test("mgda reports its min-norm solve with a KKT residual")
  func mgdaStatus() throws {
    let p = JacobianProblem(rows: [[1, 0, 0], [0, 1, 0], [-0.5, -0.2, 1]])
    for solver in ["exact", "frank-wolfe"] {
      let report = try p.run(try MethodRegistry.make("mgda", tasks: p.tasks, options: ["solver": solver]))
      #expect(report.solvers.count == 1)
      #expect(report.solvers[0].converged)
      #expect((report.solvers[0].residual ?? 1) < 1e-4, "\(solver): \(report.solvers)")
    }
  }
}
