import AuxEngine
import AuxMTL
import Testing

/// Aligned-MTL against torchjd 0.18's `AlignedMTL` (× T: the reference sums the aligned
/// gradients), the alignment property, and both methods.
@Suite("Aligned-MTL")
struct AlignedMTLTests {
  @Test("weights B·1 equal T × torchjd's AlignedMTL for every scale mode", arguments: 0..<GradientFixtures.caseCount)
  func matchesTorchJD(k: Int) {
    let g = gramian(GradientFixtures.jacobian(k))
    for scale in AlignedMTLSolver.Scale.allCases {
      let (w, _) = AlignedMTLSolver.weights(gramian: g, scale: scale)
      #expect(agree(w, GradientFixtures.vector(GradientFixtures.solver("case\(k)/aligned_\(scale.rawValue)")), rtol: 1e-4), "case \(k) \(scale)")
    }
  }

  @Test("hand case: orthogonal gradients of norms 1 and 2 are rescaled to the smaller norm (min)")
  func handCase() {
    // K = diag(1, 4): B = √1 · diag(1, 1/2), α = (1, 1/2): aligned components e1 and (0, 1)·1.
    let (w, rank) = AlignedMTLSolver.weights(gramian: [[1, 0], [0, 4]], scale: .min)
    #expect(rank == 2 && agree(w, [1, 0.5], rtol: 1e-14))
    let (wr, _) = AlignedMTLSolver.weights(gramian: [[1, 0], [0, 4]], scale: .rmse)  // s = 2.5
    let r = Double(2.5).squareRoot()
    #expect(agree(wr, [r, r / 2], rtol: 1e-14))
    let (zero, r0) = AlignedMTLSolver.weights(gramian: [[0, 0], [0, 0]], scale: .min)
    #expect(r0 == 0 && zero == [1, 1])
  }

  @Test("methods: aligned-mtl on parameter gradients, aligned-mtl-ub on feature gradients, rmse option")
  func methods() throws {
    for (name, options, key) in [("aligned-mtl", [:], "aligned-mtl"), ("aligned-mtl-ub", [:], "aligned-mtl-ub"), ("aligned-mtl", ["scale": "rmse"], "aligned-mtl_rmse")] {
      let p = LinearTaskProblem()
      let report = try MethodRegistry.make(name, tasks: p.tasks, options: options).backward(p.makeStep())
      #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method("\(key)/encoder_grad"))), "\(key)")
      #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("\(key)/head_grads"))), "\(key)")
      #expect(report.values["rank"] == 3)
    }
  }
}
