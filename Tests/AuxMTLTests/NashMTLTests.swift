import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// Nash-MTL: the solver against scipy's root of (Kα)_t = 1/α_t and against torchjd's CCCP
/// reference where that converges; the method's loss weighting, clipping, weight reuse and state.
@Suite("Nash-MTL")
struct NashMTLTests {
  @Test("solver equals scipy's solution of (Kα)_t = 1/α_t; torchjd's CCCP agrees where it converges", arguments: [0, 1, 2, 3, 6])
  func solver(k: Int) {
    let g = gramian(GradientFixtures.jacobian(k))
    let sol = NashMTLSolver.solve(gramian: g)
    #expect(sol.converged)
    #expect(agree(sol.weights, GradientFixtures.vector(GradientFixtures.solver("case\(k)/nash")), rtol: 1e-5), "case \(k): \(sol.weights)")
    // Residual of the unnormalised system, independent of any fixture.
    let ka = SymmetricMatrix.multiply(g, sol.weights)
    #expect(zip(ka, sol.weights).allSatisfy { abs($0 * $1 - 1) < 1e-9 })
    if k != 6 {  // torchjd's ECOS solve fails on case 6 (mixed scales) and returns its initial ones
      #expect(agree(sol.weights, GradientFixtures.vector(GradientFixtures.solver("case\(k)/nash_torchjd")), rtol: 1e-5))
    }
  }

  @Test("warm start does not change the answer; zero gradients are left out; no solution is reported")
  func degenerate() {
    let g = gramian(GradientFixtures.jacobian(3))
    let cold = NashMTLSolver.solve(gramian: g)
    let warm = NashMTLSolver.solve(gramian: g, warmStart: cold.normalizedWeights.map { $0 * 3 })
    #expect(agree(warm.weights, cold.weights, rtol: 1e-10))
    // Two tasks plus a zero gradient: the zero task gets 0, the others the 2-task solution.
    let two: [[Double]] = [[2, 0, 0], [0, 8, 0], [0, 0, 0]]
    let s = NashMTLSolver.solve(gramian: two)
    #expect(s.converged && s.zeroTasks == [2])
    let expected: [Double] = [1 / Double(2).squareRoot(), 1 / Double(8).squareRoot(), 0]
    #expect(agree(s.weights, expected, rtol: 1e-12))
    // Case 5: a + b + 2c = 0, a non-negative null vector: no solution.
    #expect(!NashMTLSolver.solve(gramian: gramian(GradientFixtures.jacobian(5))).converged)
  }

  @Test("method: loss weights α on heads and encoder, shared norm clipped to max_norm (or not)")
  func method() throws {
    for maxNorm in ["1.0", "0"] {
      let p = LinearTaskProblem()
      let m = try MethodRegistry.make("nash-mtl", tasks: p.tasks, options: ["max_norm": maxNorm])
      let report = try m.backward(p.makeStep())
      let key = maxNorm == "0" ? "nash-mtl/encoder_grad_unclipped" : "nash-mtl/encoder_grad"
      #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method(key)), rtol: 1e-4))
      #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("nash-mtl/head_grads")), rtol: 1e-4))
      // At the solution ‖Σ α g‖² = αᵀKα = T.
      #expect(abs(Double(report.values["shared_grad_norm"]!) - 3.0.squareRoot()) < 1e-4)
    }
  }

  @Test("update_weights_every 2: the second step reuses α with one backward pass; state restores the schedule")
  func reuse() throws {
    let p = LinearTaskProblem()
    let m = try MethodRegistry.make("nash-mtl", tasks: p.tasks, options: ["update_weights_every": "2", "max_norm": "0"])
    _ = try m.backward(p.makeStep())
    let first = p.encoderGrad
    let state = m.stateDict()
    p.zeroGrad()
    let r2 = try m.backward(p.makeStep())
    #expect(r2.values["updated"] == 0)
    #expect(agree(p.encoderGrad, first.map(Double.init), rtol: 1e-6))
    #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("nash-mtl/head_grads")), rtol: 1e-4))
    let restored = try MethodRegistry.make("nash-mtl", tasks: p.tasks, options: ["update_weights_every": "2", "max_norm": "0"])
    try restored.loadStateDict(state)
    p.zeroGrad()
    let r3 = try restored.backward(p.makeStep())
    #expect(r3 == r2)
    let r4 = try m.backward(p.makeStep())
    #expect(r4.values["updated"] == 1)
  }
}
