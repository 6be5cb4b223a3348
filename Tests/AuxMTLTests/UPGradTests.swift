import AuxEngine
import AuxMTL
import Testing

/// UPGrad against torchjd 0.18's `UPGrad` (quadprog) on fixed Jacobians, the dual-cone property,
/// and the method on the linear problem.
@Suite("UPGrad")
struct UPGradTests {
  @Test("weights equal torchjd's UPGrad on the same Jacobians", arguments: 0..<GradientFixtures.caseCount)
  func matchesTorchJD(k: Int) {
    let w = UPGradSolver.weights(gramian: gramian(GradientFixtures.jacobian(k)))
    #expect(agree(w, GradientFixtures.vector(GradientFixtures.solver("case\(k)/upgrad")), rtol: 1e-5), "case \(k): \(w)")
  }

  @Test("each projection lies in the dual cone and is the closest such point (KKT)", arguments: 0..<GradientFixtures.caseCount)
  func dualCone(k: Int) {
    let kr = UPGradSolver.regularizedGramian(gramian(GradientFixtures.jacobian(k)), normEps: 1e-4, regEps: 1e-4)
    let n = kr.count
    for i in 0..<n {
      var u = [Double](repeating: 0, count: n)
      u[i] = 1 / Double(n)
      let v = UPGradSolver.projectionWeights(gramian: kr, preference: u)
      let kv = SymmetricMatrix.multiply(kr, v)  // ⟨g_t, Gᵀv⟩ in the regularised geometry
      for t in 0..<n {
        #expect(v[t] >= u[t] - 1e-14)  // primal feasibility
        #expect(kv[t] >= -1e-12)  // dual feasibility: the projection conflicts with no task
        #expect(abs((v[t] - u[t]) * kv[t]) <= 1e-12)  // complementarity
      }
    }
  }

  @Test("two orthogonal gradients: nothing conflicts, α = 1/T each (up to the regularisation)")
  func orthogonal() {
    let w = UPGradSolver.weights(gramian: [[1, 0], [0, 1]], normEps: 1e-4, regEps: 0)
    #expect(agree(w, [0.5, 0.5], rtol: 1e-15))
    // A tiny Gramian (trace below norm_eps) is treated as zero: α = 1/T (torchjd's convention).
    #expect(agree(UPGradSolver.weights(gramian: [[1e-6, 0], [0, 1e-6]]), [0.5, 0.5], rtol: 1e-15))
  }

  @Test("method: encoder gradient Σ α_t (m ⊙ j_t), heads get ∇Σ L")
  func method() throws {
    let p = LinearTaskProblem()
    let report = try MethodRegistry.make("upgrad", tasks: p.tasks).backward(p.makeStep())
    #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method("upgrad/encoder_grad"))))
    #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("upgrad/head_grads"))))
    #expect(agree(p.tasks.map { report.values["weight/\($0.name)"]! }, GradientFixtures.vector(GradientFixtures.method("upgrad/weights"))))
  }
}
