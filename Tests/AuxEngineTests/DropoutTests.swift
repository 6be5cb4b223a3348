import AuxEngine
import AuxTestSupport
import Testing

/// Dropout's masks come from our generator, so no PyTorch fixture can match them; these tests
/// check the distribution, the scaling, evaluation mode and the gradient instead.
@Suite("dropout")
struct DropoutTests {
  @Test("keep rate, inverted scaling and mean preservation", arguments: [Float(0.1), 0.5, 0.8])
  func statistics(p: Float) {
    var rng = RandomGenerator(seed: 21)
    let n = 200_000
    let x = Tensor(shape: [n], repeating: 2)
    let y = x.dropout(p: p, training: true, using: &rng)
    let values = y.scalars
    let kept = values.filter { $0 != 0 }
    let scale = 1 / (1 - p)
    #expect(kept.allSatisfy { Swift.abs($0 - 2 * scale) < 1e-5 }, "survivors are scaled by 1/(1-p)")
    // Binomial(n, 1 − p): 5 standard deviations.
    let expected = Double(n) * Double(1 - p)
    let sd = (Double(n) * Double(p) * Double(1 - p)).squareRoot()
    #expect(Swift.abs(Double(kept.count) - expected) < 5 * sd, "kept \(kept.count), expected \(expected) ± \(5 * sd)")
    let mean = values.reduce(0.0) { $0 + Double($1) } / Double(n)
    #expect(Swift.abs(mean - 2) < 5 * 2 * Double(scale) * sd / Double(n), "mean \(mean) should be ≈ 2")
  }

  @Test("masks are independent of position: no correlation between neighbours")
  func independence() {
    var rng = RandomGenerator(seed: 22)
    let y = Tensor(shape: [100_000], repeating: 1).dropout(p: 0.5, training: true, using: &rng).scalars
    var both = 0
    for i in 0..<(y.count - 1) where y[i] != 0 && y[i + 1] != 0 { both += 1 }
    // P(both kept) = 0.25 for independent draws (the two halves of one 64-bit draw included).
    let rate = Double(both) / Double(y.count - 1)
    #expect(Swift.abs(rate - 0.25) < 0.01, "neighbour keep rate \(rate)")
  }

  @Test("evaluation mode and p = 0 are the identity and draw nothing")
  func identity() {
    var rng = RandomGenerator(seed: 23)
    let before = rng
    let x = TestData.uniform([3, 4], seed: 24).requiringGrad()
    let y = x.dropout(p: 0.5, training: false, using: &rng)
    #expect(y.scalars == x.scalars)
    #expect(y.sharesStorage(with: x))
    #expect(x.dropout(p: 0, training: true, using: &rng).scalars == x.scalars)
    #expect(rng == before)
  }

  @Test("p = 1 zeroes everything, with a zero gradient")
  func dropAll() {
    var rng = RandomGenerator(seed: 25)
    let x = TestData.uniform([5], seed: 26).requiringGrad()
    let y = x.dropout(p: 1, training: true, using: &rng)
    #expect(y.scalars.allSatisfy { $0 == 0 })
    y.sum().backward()
    #expect(x.grad?.scalars.allSatisfy { $0 == 0 } == true)
  }

  @Test("the gradient is the same mask, scaled")
  func gradient() {
    let x = TestData.uniform([4, 6], seed: 27)
    let r = GradientCheck.check([x]) {
      var rng = RandomGenerator(seed: 28)  // the same mask on every evaluation
      return $0[0].dropout(p: 0.3, training: true, using: &rng)
    }
    #expect(r.passed, "\(r)")
    var rng = RandomGenerator(seed: 29)
    let leaf = x.requiringGrad()
    let y = leaf.dropout(p: 0.3, training: true, using: &rng)
    y.sum().backward()
    let g = leaf.grad!.scalars
    for (i, v) in y.scalars.enumerated() {
      #expect(g[i] == (v == 0 ? 0 : 1 / Float(0.7)))
    }
  }

  @Test("the same seed gives the same mask; the generator advances")
  func reproducible() {
    var a = RandomGenerator(seed: 30)
    var b = RandomGenerator(seed: 30)
    let x = Tensor(shape: [1000], repeating: 1)
    let m1 = x.dropout(p: 0.4, training: true, using: &a)
    #expect(m1.scalars == x.dropout(p: 0.4, training: true, using: &b).scalars)
    #expect(m1.scalars != x.dropout(p: 0.4, training: true, using: &a).scalars)
  }
}
