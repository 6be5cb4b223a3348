import AuxEngine
import AuxMTL
import AuxNN
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// FairGrad: the solver against SciPy's least_squares (tight tolerances) for several α, the method
/// against LibMTL's FairGrad class, and the reported, counted fallback when there is no solution.
@Suite("FairGrad")
struct FairGradTests {
  static let solvable = [0, 1, 2, 3, 6]

  @Test("solver equals SciPy's solution of (Kw)_t = w_t^(−1/α) and solves the system", arguments: solvable)
  func solver(k: Int) throws {
    let g = gramian(GradientFixtures.jacobian(k))
    for alpha in [0.5, 1.0, 2.0, 5.0] {
      let sol = FairGradSolver.solve(gramian: g, alpha: alpha)
      #expect(sol.converged, "case \(k) α \(alpha)")
      let key = "fairgrad/case\(k)/alpha\(alpha == 0.5 ? "0.5" : String(Int(alpha)))"
      let e = try RecentMethodsFixture.tensor(key).scalars.map(Double.init)
      #expect(agree(sol.weights, e, rtol: 1e-5), "case \(k) α \(alpha): \(sol.weights) vs \(e)")
      let kw = SymmetricMatrix.multiply(g, sol.weights)
      for t in kw.indices {
        let rhs = pow(sol.weights[t], -1 / alpha)
        #expect(abs(kw[t] - rhs) <= 1e-9 * max(1, rhs))
      }
      // α = 1 is Nash-MTL's system.
      if alpha == 1 { #expect(agree(sol.weights, NashMTLSolver.solve(gramian: g).weights, rtol: 1e-9)) }
    }
  }

  @Test("no solution (a + b + 2c = 0) is reported as not converged; zero gradients are left out")
  func degenerate() {
    #expect(!FairGradSolver.solve(gramian: gramian(GradientFixtures.jacobian(5)), alpha: 2).converged)
    let s = FairGradSolver.solve(gramian: [[4, 0, 0], [0, 1, 0], [0, 0, 0]], alpha: 2)
    #expect(s.converged && s.zeroTasks == [2] && s.weights[2] == 0)
    // Diagonal K: k_t w_t = w_t^(−1/2), so w_t = k_t^(−2/3).
    #expect(abs(s.weights[0] - pow(4, -2.0 / 3)) < 1e-12 && abs(s.weights[1] - 1) < 1e-12)
  }

  @Test("three steps match LibMTL's FairGrad (α = 2): weights and every gradient")
  func matchesLibMTL() throws {
    let m = try MethodRegistry.make("fairgrad", tasks: LossFixtureProblem.tasks, options: ["alpha": "2"])
    let reports = try RecentMethodsFixture.check(m, prefix: "fairgrad", steps: 3)
    #expect(reports.allSatisfy { r in r.solvers.count == 1 && r.solvers[0].converged && r.solvers[0].fallback == nil && r.solvers[0].residual! < 1e-10 })
  }

  @Test("opposite gradients: the fallback to the previous weights is recorded as a solver status, never silently")
  func fallbackIsReported() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("q", role: .auxiliary)]
    let z = Parameter(Tensor.ones([2, 2]))
    let m = try MethodRegistry.make("fairgrad", tasks: tasks, options: ["level": "representation"])
    func step(_ sign: Float) throws -> MTLStep {
      let shared = SharedFeatures(z.value * 1, taskCount: 2)
      return try MTLStep(tasks: tasks, losses: [shared[0].sum(), shared[1].sum() * sign], shared: shared, sharedParameters: [z], taskParameters: [[], []])
    }
    let ok = try m.backward(step(2))
    #expect(!ok.hasNonConvergedSolver && !ok.hasSolverFallback)
    let bad = try m.backward(step(-1))
    #expect(bad.hasNonConvergedSolver && bad.hasSolverFallback)
    #expect(bad.notes.contains { $0.contains("fallback") })
    #expect(bad.perTask("weight", tasks) == ok.perTask("weight", tasks))
  }
}
