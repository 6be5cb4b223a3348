import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// GradDrop: the sign-dropout kernel against LibMTL's `GradDrop.backward` (torch replica, given
/// uniforms), hand cases, and the method's seeded draws.
@Suite("GradDrop")
struct GradDropTests {
  @Test("kernel equals LibMTL's GradDrop for leak 0 and 0.2", arguments: [0.0, 0.2])
  func matchesLibMTL(leak: Double) {
    let z = GradientFixtures.solver("graddrop/features")
    let h = GradientFixtures.solver("graddrop/gradients")
    let per = z.count
    let grads = (0..<3).map { t in Tensor(shape: z.shape, scalars: Array(h.scalars[(t * per)..<((t + 1) * per)])) }
    let (out, kept) = GradDropSolver.combine(featureGradients: grads, features: z, uniforms: GradientFixtures.solver("graddrop/uniforms"), leak: Float(leak))
    #expect(agree(out.scalars, GradientFixtures.vector(GradientFixtures.solver("graddrop/leak\(leak)")), rtol: 1e-6))
    #expect(kept.allSatisfy { $0 >= leak - 1e-12 && $0 <= 1 + 1e-12 })
  }

  @Test("hand cases: agreeing signs are always kept; with opposite signs U decides which survives")
  func handCases() {
    let z = Tensor(shape: [1, 2], scalars: [1, -1])
    let a = Tensor(shape: [1, 2], scalars: [2, 3])
    let b = Tensor(shape: [1, 2], scalars: [1, -3])
    // Element 0: G = (2, 1), P = 1 > U → keep positives: both. Element 1: sign(z) = −1,
    // G = (−3, 3), P = ½: U = 0.3 < P keeps the positive G (task b, gradient −3); U = 0.7 keeps task a.
    let (low, _) = GradDropSolver.combine(featureGradients: [a, b], features: z, uniforms: Tensor([0.5, 0.3]), leak: 0)
    #expect(low.scalars == [3, -3])
    let (high, kept) = GradDropSolver.combine(featureGradients: [a, b], features: z, uniforms: Tensor([0.5, 0.7]), leak: 0)
    #expect(high.scalars == [3, 3])
    #expect(abs(kept[0] - 1) < 1e-12 && abs(kept[1] - 0.1) < 1e-12)
    // Zero gradients: nothing kept, no NaN.
    let zero = Tensor.zeros([1, 2])
    let (none, k0) = GradDropSolver.combine(featureGradients: [zero, zero], features: z, uniforms: Tensor([0.5, 0.5]), leak: 0)
    #expect(none.scalars == [0, 0] && k0 == [0, 0])
  }

  @Test("method: equals the kernel with uniforms drawn from the seeded generator; heads get ∇Σ L; state restores the stream")
  func method() throws {
    let p = LinearTaskProblem()
    let m = try MethodRegistry.make("graddrop", tasks: p.tasks, seed: 8)
    let state = m.stateDict()
    _ = try m.backward(p.makeStep())
    var rng = RandomGenerator(seed: 8)
    let u = Tensor((0..<4).map { _ in rng.nextUniform() })  // one per element of a sample (z is [2, 4])
    let z = p.encoder.value * p.scale
    let (expected, _) = GradDropSolver.combine(featureGradients: p.directions, features: z, uniforms: u, leak: 0)
    let m8 = p.scale.scalars
    #expect(agree(p.encoderGrad, zip(expected.scalars, m8).map { Double($0 * $1) }, rtol: 1e-6))
    #expect(agree(p.headGrads, GradientFixtures.vector(GradientFixtures.method("upgrad/head_grads"))))
    let first = p.encoderGrad
    let restored = try MethodRegistry.make("graddrop", tasks: p.tasks, seed: 123)
    try restored.loadStateDict(state)
    p.zeroGrad()
    _ = try restored.backward(p.makeStep())
    #expect(p.encoderGrad == first)
  }
}
