import AuxEngine
import AuxMTL
import Testing

/// PCGrad: the Gramian solver against the vector algorithm (numpy, same orders), the T = 2
/// method against torchjd's `PCGrad`, hand cases, and the seeded orders.
@Suite("PCGrad")
struct PCGradTests {
  static func orders(_ name: String, _ t: Int) -> [[Int]] {
    GradientFixtures.rows(GradientFixtures.solver(name)).map { $0.map { Int($0) } }.map { t > 1 ? $0 : [] }
  }

  @Test("Gramian weights reproduce the projected-gradient sum of the vector algorithm", arguments: 0..<GradientFixtures.caseCount)
  func matchesVectorAlgorithm(k: Int) {
    let j = GradientFixtures.jacobian(k)
    let w = PCGradSolver.weights(gramian: gramian(j), orders: Self.orders("case\(k)/orders", j.count))
    #expect(agree(combine(j, w), GradientFixtures.vector(GradientFixtures.solver("case\(k)/pcgrad_vector")), rtol: 1e-5), "case \(k)")
  }

  @Test("hand case: g1 = (1, 0), g2 = (−1, 1) project onto each other's normal planes")
  func handCase() {
    // g1·g2 = −1: g1pc = g1 + ½ g2 = (½, ½); g2pc = g2 + g1 = (0, 1). Sum (½, 3/2) = 1.5 g1 ... weights (2, 1.5).
    let w = PCGradSolver.weights(gramian: [[1, -1], [-1, 2]], orders: [[1], [0]])
    #expect(w == [2, 1.5])
    // No conflict: plain sum.
    #expect(PCGradSolver.weights(gramian: [[1, 0.5], [0.5, 1]], orders: [[1], [0]]) == [1, 1])
    // A zero gradient is never projected against.
    #expect(PCGradSolver.weights(gramian: [[1, 0], [0, 0]], orders: [[1], [0]]) == [1, 1])
  }

  @Test("method, T = 2 (order-free): equals torchjd's PCGrad; heads get ∇Σ L")
  func methodTwoTasks() throws {
    let p = LinearTaskProblem(taskCount: 2)
    let report = try MethodRegistry.make("pcgrad", tasks: p.tasks, seed: 3).backward(p.makeStep())
    #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method("pcgrad_t2/encoder_grad"))))
    #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("pcgrad_t2/head_grads"))))
    #expect(agree(p.tasks.map { report.values["weight/\($0.name)"]! }, GradientFixtures.vector(GradientFixtures.method("pcgrad_t2/weights"))))
  }

  @Test("method, T = 3: uses one fresh seeded permutation per task per step; state restores the stream")
  func seededOrders() throws {
    let p = LinearTaskProblem()
    let m = try MethodRegistry.make("pcgrad", tasks: p.tasks, seed: 17)
    _ = try m.backward(p.makeStep())
    let state = m.stateDict()
    p.zeroGrad()
    _ = try m.backward(p.makeStep())
    let second = p.encoderGrad
    // The second step's orders are the second draw of a generator seeded with 17.
    var rng = RandomGenerator(seed: 17)
    _ = PCGradSolver.randomOrders(taskCount: 3, using: &rng)
    let orders = PCGradSolver.randomOrders(taskCount: 3, using: &rng)
    let pj = GradientFixtures.rows(GradientFixtures.method("problem/J").reshaped([3, 8]))
    let m8 = GradientFixtures.vector(GradientFixtures.method("problem/m"))
    let param = pj.map { zip($0, m8).map { $0 * $1 } }
    let expected = combine(param, PCGradSolver.weights(gramian: gramian(param), orders: orders))
    #expect(agree(second, expected, rtol: 1e-5))
    let restored = try MethodRegistry.make("pcgrad", tasks: p.tasks, seed: 999)
    try restored.loadStateDict(state)
    p.zeroGrad()
    _ = try restored.backward(p.makeStep())
    #expect(p.encoderGrad == second)
  }
}
