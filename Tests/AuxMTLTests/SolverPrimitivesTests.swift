import AuxEngine
import AuxMTL
import Testing

/// The small dense solvers the methods are built on: linear systems, the non-negative QP, the
/// exact state coding.
@Suite("Solver primitives")
struct SolverPrimitivesTests {
  @Test("Gaussian elimination and Cholesky solve known systems; singular systems give nil")
  func linearSystems() {
    let a: [[Double]] = [[0, 2, 1], [1, 1, 0], [3, 0, 1]]  // needs pivoting
    #expect(agree(LinearSystem.solve(a, [5, 3, 4])!, [1, 2, 1], rtol: 1e-15))
    #expect(LinearSystem.solve([[1, 2], [2, 4]], [1, 2]) == nil)
    let spd: [[Double]] = [[4, 2], [2, 3]]
    #expect(agree(LinearSystem.choleskySolve(spd, [2, 1])!, [0.5, 0], rtol: 1e-15))
    #expect(LinearSystem.cholesky([[1, 2], [2, 1]]) == nil)
  }

  @Test("non-negative QP: hand-derived answers")
  func nonNegativeQPKnown() {
    #expect(NonNegativeQP.minimize(q: [[1, 0], [0, 1]], c: [1, -1]) == [1, 0])
    // Interior: x = Q⁻¹c = (1/3, 1/3).
    #expect(agree(NonNegativeQP.minimize(q: [[2, 1], [1, 2]], c: [1, 1]), [1.0 / 3, 1.0 / 3], rtol: 1e-14))
    // Q⁻¹c = (3, −3) is infeasible: x2 = 0, then 2 x1 = 3.
    #expect(agree(NonNegativeQP.minimize(q: [[2, 1], [1, 2]], c: [3, -3]), [1.5, 0], rtol: 1e-14))
  }

  @Test("non-negative QP: the KKT conditions hold on random problems")
  func nonNegativeQPKKT() {
    var rng = RandomGenerator(seed: 3)
    for _ in 0..<20 {
      let n = 2 + rng.nextInt(below: 6)
      let a = (0..<n).map { _ in (0..<(n + 2)).map { _ in Double(rng.nextNormal()) } }
      var q = gramian(a)
      for i in 0..<n { q[i][i] += 1e-3 }
      let c = (0..<n).map { _ in Double(rng.nextNormal()) }
      let x = NonNegativeQP.minimize(q: q, c: c)
      let gradient = zip(SymmetricMatrix.multiply(q, x), c).map { $0 - $1 }  // Qx − c
      let scale = max(c.map(abs).max()!, 1)
      for i in 0..<n {
        #expect(x[i] >= 0)
        #expect(gradient[i] >= -1e-10 * scale)  // dual feasibility
        #expect(abs(x[i] * gradient[i]) <= 1e-10 * scale * max(1, x[i]))  // complementarity
      }
    }
  }

  @Test("state coding round-trips words, doubles and generators exactly, and rejects bad tensors")
  func stateCoding() throws {
    let words: [UInt64] = [0, 1, 0xFFFF_FFFF_FFFF_FFFF, 0x0123_4567_89AB_CDEF]
    #expect(try ExactStateCoding.decodeWords(ExactStateCoding.encode(words: words), key: "w") == words)
    let doubles = [0.1, -1e-300, .pi, 1 / 3.0]
    #expect(try ExactStateCoding.decodeDoubles(ExactStateCoding.encode(doubles: doubles), key: "d") == doubles)
    var g = RandomGenerator(seed: 42)
    _ = g.nextNormal()  // leaves a cached deviate
    var restored = try ExactStateCoding.decodeGenerator(ExactStateCoding.encode(g), key: "g")
    #expect(restored.nextNormal() == g.nextNormal())
    #expect(restored.next() == g.next())
    #expect(throws: MTLStepError.self) { try ExactStateCoding.decodeWords(Tensor([1, 2, 3]), key: "x") }
    #expect(throws: MTLStepError.self) { try ExactStateCoding.decodeWords(Tensor([1, 2, 3, 0.5]), key: "x") }
    #expect(throws: MTLStepError.self) { try ExactStateCoding.decodeGenerator(ExactStateCoding.encode(words: [1, 2]), key: "x") }
  }
}
