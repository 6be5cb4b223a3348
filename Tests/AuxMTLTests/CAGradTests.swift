import AuxEngine
import AuxMTL
import Testing

/// CAGrad against torchjd 0.18's `CAGrad` (cvxpy/Clarabel) on fixed Jacobians, optimality of the
/// inner problem against a grid, the ×T and rescale conventions, and the method.
@Suite("CAGrad")
struct CAGradTests {
  /// The inner objective `wᵀK1/T + c‖g₀‖·√(wᵀKw)` and its gradient.
  static func objective(_ k: [[Double]], c: Double, _ w: [Double]) -> (value: Double, gradient: [Double]) {
    let n = Double(k.count)
    let b = k.map { $0.reduce(0, +) / n }
    let rho = c * (b.reduce(0, +) / n).squareRoot()
    let kw = SymmetricMatrix.multiply(k, w)
    let gw = zip(w, kw).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()
    return (zip(w, b).reduce(0) { $0 + $1.0 * $1.1 } + rho * gw, zip(b, kw).map { $0 + rho * $1 / gw })
  }

  /// `w*` recovered from direction weights `1/T + λw*` (Σ w* = 1 gives λ = Σ − 1).
  static func simplexPoint(_ directionWeights: [Double]) -> [Double] {
    let lambda = directionWeights.reduce(0, +) - 1
    return directionWeights.map { ($0 - 1 / Double(directionWeights.count)) / lambda }
  }

  @Test("direction weights 1/T + λw* equal torchjd's CAGrad (c = 0.4 and 0.8), and satisfy the KKT conditions", arguments: 0..<GradientFixtures.caseCount)
  func matchesTorchJD(k: Int) {
    let g = gramian(GradientFixtures.jacobian(k))
    for c in [0.4, 0.8] {
      let sol = CAGradSolver.solve(gramian: g, c: c)
      let expected = GradientFixtures.vector(GradientFixtures.solver("case\(k)/cagrad_c\(c)"))
      if k == 6 {
        // Mixed gradient scales: torchjd's Clarabel default tolerance leaves its answer 4e-4 off;
        // ours must be at least as good on the objective.
        let ours = Self.objective(g, c: c, sol.simplexWeights).value
        let theirs = Self.objective(g, c: c, Self.simplexPoint(expected)).value
        #expect(ours <= theirs + 1e-12 * abs(theirs), "case 6, c \(c): \(ours) vs \(theirs)")
        #expect(agree(sol.directionWeights, expected, rtol: 1e-3))
      } else {
        #expect(agree(sol.directionWeights, expected, rtol: 2e-4), "case \(k), c \(c): \(sol.directionWeights) vs \(expected)")
      }
      // KKT on the simplex: the gradient is equal on the support and not smaller off it.
      let w = sol.simplexWeights
      let grad = Self.objective(g, c: c, w).gradient
      let support = w.indices.filter { w[$0] > 1e-9 }
      let level = support.map { grad[$0] }.reduce(0, +) / Double(support.count)
      let scale = grad.map(abs).max()!
      for t in w.indices {
        if support.contains(t) {
          #expect(abs(grad[t] - level) <= 1e-7 * scale, "case \(k) c \(c) task \(t)")
        } else {
          #expect(grad[t] >= level - 1e-7 * scale, "case \(k) c \(c) task \(t)")
        }
      }
    }
  }

  @Test("the inner objective at w* is not beaten by any point of a simplex grid (T = 3)")
  func innerOptimality() {
    var rng = RandomGenerator(seed: 5)
    for _ in 0..<5 {
      let j = (0..<3).map { _ in (0..<5).map { _ in Double(rng.nextNormal()) } }
      let k = gramian(j)
      let c = 0.4
      let b = k.map { $0.reduce(0, +) / 3 }
      let rho = c * (b.reduce(0, +) / 3).squareRoot()
      func objective(_ w: [Double]) -> Double {
        zip(w, b).reduce(0) { $0 + $1.0 * $1.1 } + rho * max(zip(w, SymmetricMatrix.multiply(k, w)).reduce(0) { $0 + $1.0 * $1.1 }, 0).squareRoot()
      }
      var best = Double.infinity
      let n = 300
      for a in 0...n { for q in 0...(n - a) { best = min(best, objective([Double(a), Double(q), Double(n - a - q)].map { $0 / Double(n) })) } }
      let w = CAGradSolver.solve(gramian: k, c: c).simplexWeights
      #expect(objective(w) <= best + 1e-12)
    }
  }

  @Test("c = 0 gives the average gradient; a zero Gramian gives a zero direction")
  func limits() {
    let g = gramian(GradientFixtures.jacobian(2))
    let third: Double = 1.0 / 3
    let plain = CAGradSolver.solve(gramian: g, c: 0).directionWeights
    #expect(plain == [third, third, third])
    // Case 4 has 0 inside the hull: with c ≥ 1, g_wᵀg₀ + c‖g₀‖‖g_w‖ ≥ (c − 1)‖g₀‖‖g_w‖ ≥ 0
    // (Cauchy–Schwarz), minimal at g_w = 0: Pareto-stationary, zero direction. With c < 1 the
    // objective goes negative along −g₀, so the direction is not zero.
    let inside = gramian(GradientFixtures.jacobian(4))
    let wide = CAGradSolver.solve(gramian: inside, c: 1.5)
    #expect(wide.onParetoFront && wide.directionWeights.allSatisfy { $0 == 0 })
    #expect(!CAGradSolver.solve(gramian: inside, c: 0.4).onParetoFront)
    let zero = CAGradSolver.solve(gramian: [[0, 0], [0, 0]], c: 0.4)
    #expect(zero.onParetoFront && zero.directionWeights == [0, 0])
  }

  @Test("method: T·d/(1+c²) by default; rescale 0 and 2 change only the divisor", arguments: ["1", "0", "2"])
  func method(rescale: String) throws {
    let p = LinearTaskProblem()
    _ = try MethodRegistry.make("cagrad", tasks: p.tasks, options: ["rescale": rescale]).backward(p.makeStep())
    let divisor = rescale == "1" ? 1.0 : rescale == "0" ? 1 / (1 + 0.16) : 1.4 / 1.16  // relative to the default's 1 + c²
    let expected = GradientFixtures.vector(GradientFixtures.method("cagrad/encoder_grad")).map { $0 / divisor }
    #expect(agree(p.encoderGrad, expected, rtol: 2e-4), "\(p.encoderGrad) vs \(expected)")
    #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("cagrad/head_grads"))))
  }
}
