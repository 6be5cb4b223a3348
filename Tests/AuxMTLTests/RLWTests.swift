import AuxEngine
import AuxMTL
import AuxNN
import Foundation
import Testing

@Suite("RLW")
struct RLWTests {
  static let tasks = LossFixtureProblem.tasks
  static let one = Tensor(1).requiringGrad()

  static func draws(_ distribution: String, count: Int, seed: UInt64 = 3, options: [String: String] = [:]) throws -> [[Double]] {
    let m = try MethodRegistry.make("rlw", tasks: tasks, options: options.merging(["distribution": distribution]) { a, _ in a }, seed: seed)
    return try (0..<count).map { _ in
      try m.backward(MTLStep(tasks: tasks, losses: [one, one, one])).perTask("weight").map(Double.init)
    }
  }

  static func meanAndVariance(_ x: [Double]) -> (Double, Double) {
    let m = x.reduce(0, +) / Double(x.count)
    return (m, x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1))
  }

  @Test("softmax distributions: log-weight differences have the sampled distribution's moments", arguments: [
    ("normal", 2.0), ("uniform", 1.0 / 6), ("dirichlet", 1.0 / 6),
  ])
  func softmaxMoments(distribution: String, variance: Double) throws {
    // log λ_i − log λ_j = λ̃_i − λ̃_j: variance 2 (N(0,1)), 2/12 (U(0,1)); Dir(1) with T = 3:
    // Var(x_i) = 2/36, Cov = −1/36, so Var(x_i − x_j) = 1/6.
    let w = try Self.draws(distribution, count: 6000)
    for v in w { #expect(abs(v.reduce(0, +) - 1) < 1e-6) }
    let d = w.map { log($0[0]) - log($0[2]) }
    let (m, s2) = Self.meanAndVariance(d)
    #expect(abs(m) < 0.06 * variance.squareRoot() * 3)
    #expect(abs(s2 - variance) < 0.08 * variance)
    if distribution != "normal" { #expect(d.allSatisfy { abs($0) < 1 }) }
  }

  @Test("Bernoulli: raw 0/1 vectors, never all zero, each task on with probability 4/7; normalised variant sums to 1")
  func bernoulli() throws {
    let w = try Self.draws("bernoulli", count: 7000)
    #expect(w.allSatisfy { $0.allSatisfy { $0 == 0 || $0 == 1 } && $0.contains(1) })
    for t in 0..<3 {
      let frequency = Double(w.filter { $0[t] == 1 }.count) / 7000
      #expect(abs(frequency - 4.0 / 7) < 0.025)
    }
    let n = try Self.draws("bernoulli", count: 200, options: ["bernoulli_normalize": "true"])
    #expect(n.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-6 && Set($0.filter { $0 > 0 }).count == 1 })
  }

  @Test("constrained Bernoulli: one-hot on a uniformly drawn task; random-normal: softmax weights")
  func constrainedAndRandomNormal() throws {
    let w = try Self.draws("constrained-bernoulli", count: 6000)
    #expect(w.allSatisfy { $0.reduce(0, +) == 1 && $0.filter { $0 == 1 }.count == 1 })
    for t in 0..<3 {
      let frequency = Double(w.filter { $0[t] == 1 }.count) / 6000
      #expect(abs(frequency - 1.0 / 3) < 0.025)
    }
    let r = try Self.draws("random-normal", count: 50)
    #expect(r.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-6 && $0.allSatisfy { $0 > 0 } })
  }

  @Test("the step's gradients are those of Σ λ_t L_t with the reported weights")
  func gradientsUseWeights() throws {
    let toy = MTLToyProblem(tasks: Self.tasks, seed: 12)
    let rlw = try MethodRegistry.make("rlw", tasks: Self.tasks, seed: 9)
    let report = try rlw.backward(toy.makeStep())
    let lambda = report.perTask("weight")
    let raw = toy.rawFeatureGradients()
    var expected = raw[0] * lambda[0]
    for t in 1..<3 { expected = expected + raw[t] * lambda[t] }
    #expect(maxAbsDiff(toy.encoder.grad!, expected) < 1e-6)
    for t in 0..<3 {
      for (p, g) in zip(toy.heads[t].parameters(), toy.rawHeadGradients(t)) { #expect(maxAbsDiff(p.grad!, g * lambda[t]) < 1e-6) }
    }
  }

  @Test("same seed → same weights, another seed → others; the state round trip continues the stream", arguments: RandomLossWeighting.distributions)
  func determinismAndState(distribution: String) throws {
    let a = try Self.draws(distribution, count: 20, seed: 5)
    #expect(a == (try Self.draws(distribution, count: 20, seed: 5)))
    #expect(a != (try Self.draws(distribution, count: 20, seed: 6)))
    let m = try MethodRegistry.make("rlw", tasks: Self.tasks, options: ["distribution": distribution], seed: 5)
    for _ in 0..<7 { _ = try m.backward(MTLStep(tasks: Self.tasks, losses: [Self.one, Self.one, Self.one])) }
    let other = try MethodRegistry.make("rlw", tasks: Self.tasks, options: ["distribution": distribution], seed: 99)
    try other.loadStateDict(m.stateDict())
    for _ in 0..<5 {
      let x = try m.backward(MTLStep(tasks: Self.tasks, losses: [Self.one, Self.one, Self.one]))
      let y = try other.backward(MTLStep(tasks: Self.tasks, losses: [Self.one, Self.one, Self.one]))
      #expect(x == y)
    }
    #expect(throws: MethodOptionError.self) { try MethodRegistry.make("rlw", tasks: Self.tasks, options: ["distribution": "cauchy"]) }
  }
}
