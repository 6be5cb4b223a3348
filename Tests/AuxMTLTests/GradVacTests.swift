import AuxEngine
import AuxMTL
import Testing

/// GradVac: the Gramian solver against the paper's vector algorithm (numpy, same orders, two
/// steps so that the targets matter), and the method over two steps.
@Suite("GradVac")
struct GradVacTests {
  @Test("two steps with β = 0.5: shared gradients and targets equal the vector algorithm", arguments: 0..<GradientFixtures.caseCount)
  func matchesVectorAlgorithm(k: Int) {
    let j = GradientFixtures.jacobian(k)
    let n = j.count
    var targets = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for s in 1...2 {
      let orders = GradientFixtures.rows(GradientFixtures.solver("case\(k)/gradvac_orders\(s)")).map { $0.map { Int($0) } }
      let (w, skipped) = GradVacSolver.weights(gramian: gramian(j), orders: orders, targets: &targets, beta: 0.5)
      #expect(skipped == 0)
      #expect(agree(combine(j, w), GradientFixtures.vector(GradientFixtures.solver("case\(k)/gradvac_vector\(s)")), rtol: 1e-5), "case \(k) step \(s)")
      #expect(agree(targets.flatMap { $0 }, GradientFixtures.vector(GradientFixtures.solver("case\(k)/gradvac_targets\(s)")), rtol: 1e-5, atol: 1e-6))
    }
  }

  @Test("with zero targets the first adjustment is PCGrad's projection")
  func firstStepIsProjection() {
    let k: [[Double]] = [[1, -1], [-1, 2]]
    var targets = [[0.0, 0], [0, 0]]
    let (w, _) = GradVacSolver.weights(gramian: k, orders: [[1], [0]], targets: &targets, beta: 0.01)
    #expect(agree(w, PCGradSolver.weights(gramian: k, orders: [[1], [0]]), rtol: 1e-14))
    // φ̂ ← 0.99·0 + 0.01·cos = 0.01 · (−1/√2) both ways.
    let expected = -0.01 / Double(2).squareRoot()
    #expect(abs(targets[0][1] - expected) < 1e-15 && abs(targets[1][0] - expected) < 1e-15)
  }

  @Test("method, T = 2, β = 0.5: two steps equal the vector algorithm; state round-trips exactly")
  func method() throws {
    let p = LinearTaskProblem(taskCount: 2)
    let m = try MethodRegistry.make("gradvac", tasks: p.tasks, options: ["beta": "0.5"], seed: 1) as! GradientVaccine
    _ = try m.backward(p.makeStep())
    #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method("gradvac_t2/encoder_grad1"))))
    #expect(agree(m.targets.flatMap { $0 }, GradientFixtures.vector(GradientFixtures.method("gradvac_t2/targets1"))))
    let state = m.stateDict()
    p.zeroGrad()
    _ = try m.backward(p.makeStep())
    #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method("gradvac_t2/encoder_grad2"))))
    #expect(agree(p.headGrads, [Double](GradientFixtures.vector(GradientFixtures.method("pcgrad_t2/head_grads")))))
    let second = p.encoderGrad
    let restored = try MethodRegistry.make("gradvac", tasks: p.tasks, options: ["beta": "0.5"]) as! GradientVaccine
    try restored.loadStateDict(state)
    p.zeroGrad()
    _ = try restored.backward(p.makeStep())
    #expect(p.encoderGrad == second && restored.targets == m.targets)
  }
}
