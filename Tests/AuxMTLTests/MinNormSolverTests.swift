import AuxEngine
import AuxMTL
import Testing

/// The min-norm solvers on known answers, a brute-force grid, and the fixture (exhaustive
/// active-set enumeration and a numpy replica of the reference Frank–Wolfe).
@Suite("MinNormSolver")
struct MinNormSolverTests {
  @Test("two orthogonal unit gradients → [½, ½], by both solvers")
  func orthogonal() {
    let k: [[Double]] = [[1, 0], [0, 1]]
    #expect(MinNormSolver.frankWolfe(gramian: k).weights == [0.5, 0.5])
    #expect(agree(MinNormSolver.exact(gramian: k).weights, [0.5, 0.5], rtol: 1e-15))
    #expect(abs(MinNormSolver.exact(gramian: k).squaredNorm - 0.5) < 1e-15)
  }

  @Test("one gradient inside the other's cone: all weight on the shorter one (exactly, not 0.999)")
  func inCone() {
    // g1 = (1, 0), g2 = (2, 1): ⟨g1, g2⟩ = 2 ≥ ‖g1‖² = 1, so the segment's closest point to 0 is g1.
    let k: [[Double]] = [[1, 2], [2, 5]]
    #expect(MinNormSolver.frankWolfe(gramian: k).weights == [1, 0])
    #expect(MinNormSolver.exact(gramian: k).weights == [1, 0])
    let swapped: [[Double]] = [[5, 2], [2, 1]]
    #expect(MinNormSolver.frankWolfe(gramian: swapped).weights == [0, 1])
    #expect(MinNormSolver.exact(gramian: swapped).weights == [0, 1])
  }

  @Test("two-point formula: γ = (v22 − v12)/(v11 + v22 − 2 v12) inside the segment")
  func pairFormula() {
    // x1 = (1, 0), x2 = (0, 2): γ = 4/5, min ‖(γ, 2(1−γ))‖² = 16/25 + 4/25 = 4/5.
    let (g, c) = MinNormSolver.pair(1, 0, 4)
    #expect(abs(g - 0.8) < 1e-15)
    #expect(abs(c - 0.8) < 1e-15)
  }

  @Test("T = 3: never worse than a brute-force grid over the simplex")
  func bruteForceGrid() {
    var rng = RandomGenerator(seed: 11)
    for _ in 0..<5 {
      let j = (0..<3).map { _ in (0..<4).map { _ in Double(rng.nextNormal()) } }
      let k = gramian(j)
      var best = Double.infinity
      let n = 300
      for a in 0...n {
        for b in 0...(n - a) {
          let w = [Double(a) / Double(n), Double(b) / Double(n), Double(n - a - b) / Double(n)]
          let v = zip(w, SymmetricMatrix.multiply(k, w)).reduce(0) { $0 + $1.0 * $1.1 }
          best = min(best, v)
        }
      }
      let exact = MinNormSolver.exact(gramian: k)
      let fw = MinNormSolver.frankWolfe(gramian: k)
      let scale = k.indices.map { k[$0][$0] }.max()!
      #expect(exact.squaredNorm <= best + 1e-12 * scale)
      #expect(fw.squaredNorm <= best + 1e-4 * scale)
      #expect(abs(exact.weights.reduce(0, +) - 1) < 1e-12 && exact.weights.allSatisfy { $0 >= 0 })
    }
  }

  @Test("fixture: exact solver reaches the enumerated minimum; Frank–Wolfe equals the reference replica", arguments: 0..<GradientFixtures.caseCount)
  func fixture(k: Int) {
    let j = GradientFixtures.jacobian(k)
    let g = gramian(j)
    let scale = g.indices.map { g[$0][$0] }.max()!
    let expectedValue = Double(GradientFixtures.solver("case\(k)/minnorm_value").scalars[0])
    let expectedPoint = GradientFixtures.vector(GradientFixtures.solver("case\(k)/minnorm_point"))
    let exact = MinNormSolver.exact(gramian: g)
    // The fixture stores Float32: compare at its precision.
    #expect(abs(exact.squaredNorm - expectedValue) <= 2e-7 * max(expectedValue, 1e-3 * scale), "case \(k): \(exact.squaredNorm) vs \(expectedValue)")
    #expect(agree(combine(j, exact.weights), expectedPoint, rtol: 1e-5, atol: 1e-6 * scale.squareRoot()), "case \(k)")
    let fw = MinNormSolver.frankWolfe(gramian: g)
    #expect(agree(fw.weights, GradientFixtures.vector(GradientFixtures.solver("case\(k)/frank_wolfe")), rtol: 1e-5), "case \(k): \(fw.weights)")
    #expect(fw.squaredNorm >= exact.squaredNorm - 1e-12 * scale)
  }

  @Test("degenerate inputs: one task, all-zero gradients, duplicated gradients")
  func degenerate() {
    #expect(MinNormSolver.exact(gramian: [[4]]).weights == [1])
    #expect(MinNormSolver.frankWolfe(gramian: [[4]]).weights == [1])
    let zero = MinNormSolver.exact(gramian: [[0, 0, 0], [0, 0, 0], [0, 0, 0]])
    #expect(zero.weights.reduce(0, +) == 1 && zero.squaredNorm == 0)
    // g1 = g2 = (1, 0), g3 = (−1, 1): with a = α1 + α2 the point is (2a − 1, 1 − a), whose
    // squared norm 5a² − 6a + 2 is minimal at a = 3/5: (1/5, 2/5), squared norm 1/5, α3 = 2/5.
    let k: [[Double]] = [[1, 1, -1], [1, 1, -1], [-1, -1, 2]]
    let s = MinNormSolver.exact(gramian: k)
    #expect(abs(s.squaredNorm - 0.2) < 1e-12)
    #expect(abs(s.weights[2] - 0.4) < 1e-12)
    let fw = MinNormSolver.frankWolfe(gramian: k)
    #expect(abs(fw.squaredNorm - 0.2) < 1e-6)
  }
}
