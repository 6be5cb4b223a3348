import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// MoDo and SDMGrad: their weight updates against torchjd's weightings on a fixed `J₁J₂ᵀ`, and
/// whole steps (three batches) against LibMTL's classes.
@Suite("MoDo and SDMGrad")
struct MoDoSDMGradTests {
  static let tasks = LossFixtureProblem.tasks

  static func cross() throws -> [[Double]] {
    let a = GradientFixtures.rows(try RecentMethodsFixture.tensor("cross/first"))
    let b = GradientFixtures.rows(try RecentMethodsFixture.tensor("cross/second"))
    return a.map { x in b.map { y in zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } } }
  }

  @Test("MoDo's λ update equals torchjd's MoDoWeighting over three calls")
  func modoWeighting() throws {
    let a = try Self.cross()
    var lambda = [Double](repeating: 1.0 / 3, count: 3)
    for k in 0..<3 {
      lambda = MoDo.update(lambda, cross: a, gamma: 0.05, rho: 0.1)
      #expect(agree(lambda, GradientFixtures.vector(try RecentMethodsFixture.tensor("modo_torchjd/call\(k)")), rtol: 1e-5), "call \(k): \(lambda)")
    }
  }

  @Test("SDMGrad's inner solve equals torchjd's SDMGradWeighting (lr 5) over three calls")
  func sdmgradWeighting() throws {
    let a = try Self.cross()
    var w = [Double](repeating: 1.0 / 3, count: 3)
    for k in 0..<3 {
      w = SDMGrad.solve(w, cross: a, lambda: 0.3, iterations: 20, lr: 5)
      let combined = w.map { ($0 + 0.1) / 1.3 }
      #expect(agree(combined, GradientFixtures.vector(try RecentMethodsFixture.tensor("sdmgrad_torchjd/call\(k)")), rtol: 1e-5), "call \(k): \(combined)")
    }
  }

  @Test("simplex projection: on the simplex, idempotent, and the known cases")
  func simplex() {
    #expect(SimplexProjection.project([0.2, 0.3, 0.5]) == [0.2, 0.3, 0.5])
    #expect(SimplexProjection.project([2, 0, 0]) == [1, 0, 0])
    let p = SimplexProjection.project([0.9, 0.8, -3])
    #expect(abs(p[0] - 0.55) < 1e-12 && abs(p[1] - 0.45) < 1e-12 && p[2] == 0)
  }

  @Test("MoDo: three steps match LibMTL's MoDo (γ = 0.1) with batches [validation, validation, training]")
  func modo() throws {
    let m = try MethodRegistry.make("modo", tasks: Self.tasks, options: ["gamma": "0.1"])
    try RecentMethodsFixture.check(m, prefix: "modo", steps: 3)
  }

  @Test("SDMGrad: three steps match LibMTL's SDMGrad (heads: the three batches' mean)")
  func sdmgrad() throws {
    let m = try MethodRegistry.make("sdmgrad", tasks: Self.tasks)
    try RecentMethodsFixture.check(m, prefix: "sdmgrad", steps: 3, checkWeights: false)
  }

  @Test("without the evaluator's second batch both refuse clearly")
  func needsEvaluator() throws {
    for name in ["modo", "sdmgrad"] {
      let m = try MethodRegistry.make(name, tasks: Self.tasks)
      #expect(throws: MTLStepError.self) { try m.backward(LossFixtureProblem().makeStep(evaluator: false)) }
    }
  }
}
