import AuxEngine
import AuxMTL
import AuxNN
import Foundation
import Testing

@Suite("ATW and PUW approximations")
struct ApproximationTests {
  static let tasks = LossFixtureProblem.tasks

  @Test("the three reconstructions are labelled as approximations")
  func labelled() throws {
    for name in ["atw-approx", "puw-approx", "uw-per-objective"] {
      let d = try #require(MethodRegistry.descriptor(named: name))
      #expect(d.isApproximation)
      #expect(d.title.contains("(approximation)"))
    }
    #expect(MethodRegistry.all.filter(\.isApproximation).count >= 3)
  }

  @Test("ATW: first step equals UW; then f = T·softmax((S/M)/τ) with S, M the short and long loss EMAs")
  func atw() throws {
    // Step 1 on the fixture problem: identical to UW.
    func firstStep(_ name: String) throws -> [Float] {
      let problem = try LossFixtureProblem()
      let m = try MethodRegistry.make(name, tasks: Self.tasks)
      m.parameters[0].parameter.assign(Tensor([-0.2, 0.4, -0.9]))
      _ = try m.backward(problem.makeStep())
      return problem.named.flatMap { $0.1.grad!.scalars } + m.parameters[0].parameter.grad!.scalars
    }
    #expect(try firstStep("atw-approx") == (try firstStep("uw")))

    // Two steps on constant losses: the gradient reaching each loss is its weight.
    let atw = try MethodRegistry.make("atw-approx", tasks: Self.tasks) as! ATWApproximation
    let ell: [Float] = [-0.5, 0.2, -1]
    atw.logVariance.assign(Tensor(ell))
    let l1: [Double] = [1, 2, 0.5]
    let l2: [Double] = [0.5, 2.5, 0.5]
    _ = try atw.backward(MTLStep(tasks: Self.tasks, losses: l1.map { Tensor(Float($0)).requiringGrad() }))
    atw.logVariance.zeroGrad()
    let leaves = l2.map { Tensor(Float($0)).requiringGrad() }
    let report = try atw.backward(MTLStep(tasks: Self.tasks, losses: leaves))
    let s = (0..<3).map { 0.9 * l1[$0] + 0.1 * l2[$0] }
    let m = (0..<3).map { 0.99 * l1[$0] + 0.01 * l2[$0] }
    let e = (0..<3).map { exp(s[$0] / m[$0] / 2) }
    let f = e.map { 3 * $0 / e.reduce(0, +) }
    for t in 0..<3 {
      let w = f[t] * 0.5 * exp(-Double(ell[t]))
      #expect(abs(Double(leaves[t].grad!.item) - w) < 1e-6)
      #expect(abs(Double(report.values["weight/\(Self.tasks[t].name)"]!) - w) < 1e-6)
      let dl = f[t] * 0.5 * (1 - exp(-Double(ell[t])) * l2[t])
      #expect(abs(Double(atw.logVariance.grad!.scalars[t]) - dl) < 1e-6)
    }
    let other = try MethodRegistry.make("atw-approx", tasks: Self.tasks) as! ATWApproximation
    try other.loadStateDict(atw.stateDict())
    #expect(other.shortAverage == atw.shortAverage && other.longAverage == atw.longAverage)
    #expect(other.logVariance.value.scalars == atw.logVariance.value.scalars)
  }

  @Test("PUW: equal weights during warm-up; an update scores every particle by the validation loss after its virtual step")
  func puwUpdate() throws {
    let problem = try LossFixtureProblem()
    let puw = try MethodRegistry.make("puw-approx", tasks: Self.tasks, options: ["warmup_steps": "1", "particles": "5"], seed: 3) as! PUWApproximation
    let opt = problem.sgd(lr: 0.2)
    let warm = try puw.backward(problem.makeStep(optimizer: opt))
    #expect(abs(warm.perTask("weight").reduce(0, +) - 3) < 1e-5 && Set(warm.perTask("weight")).count == 1)
    problem.zeroGrad()

    let particles = puw.particles
    let before = problem.named.map { $0.1.value.scalars }
    let report = try puw.backward(problem.makeStep(optimizer: opt))
    #expect(problem.named.map { $0.1.value.scalars } == before, "θ must be restored exactly")

    // Independent scores: plain autograd on an ordinary forward, a plain SGD step per particle.
    let params = problem.named.map(\.1)
    let theta = params.map { $0.value.detached() }
    let base = Autograd.withoutGradients { problem.lossesPlain(validation: true).map { Double($0.item) } }
    var scores: [Double] = []
    for lambda in particles {
      let l = problem.lossesPlain()
      var objective = l[0] * (3 * lambda[0])
      for t in 1..<3 { objective = objective + l[t] * (3 * lambda[t]) }
      let g = Autograd.gradients(of: [objective], wrt: params.map(\.value))
      for (i, p) in params.enumerated() { p.assign(theta[i] - g[i]! * 0.2) }
      let after = Autograd.withoutGradients { problem.lossesPlain(validation: true).map { Double($0.item) } }
      for (i, p) in params.enumerated() { p.assign(theta[i]) }
      scores.append(-after[0] / base[0])  // primary task "a" only
    }
    for (i, s) in scores.enumerated() { #expect(abs(Double(report.values["score\(i)"]!) - s) < 2e-5 * abs(s)) }
    let top = scores.max()!
    let e = scores.map { exp(($0 - top) / 0.1) }
    let mean = (0..<3).map { t in (0..<5).reduce(0.0) { $0 + e[$1] * Double(particles[$1][t]) } / e.reduce(0, +) }
    for t in 0..<3 {
      #expect(abs(Double(puw.posteriorMean[t]) - mean[t]) < 1e-4)
      #expect(abs(Double(report.perTask("weight")[t]) - 3 * mean[t]) < 3e-4)
    }
    // Resampled, jittered particles stay on the simplex.
    #expect(puw.particles.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-5 && $0.allSatisfy { $0 > 0 } })
  }

  @Test("PUW: same seed → same run; the state round trip resumes exactly; missing inputs are refused")
  func puwStateAndDeterminism() throws {
    func run(split: Bool, seed: UInt64 = 7) throws -> [Float] {
      let problem = try LossFixtureProblem()
      let options = ["interval": "2", "particles": "4"]
      var puw = try MethodRegistry.make("puw-approx", tasks: Self.tasks, options: options, seed: seed)
      let opt = problem.sgd(lr: 0.1)
      var out: [Float] = []
      for k in 0..<5 {
        opt.zeroGrad()
        out += try puw.backward(problem.makeStep(optimizer: opt)).perTask("weight")
        opt.step()
        if split && k == 2 {
          let fresh = try MethodRegistry.make("puw-approx", tasks: Self.tasks, options: options, seed: 1234)
          try fresh.loadStateDict(puw.stateDict())
          puw = fresh
        }
      }
      return out
    }
    let a = try run(split: false)
    #expect(a == (try run(split: true)))
    #expect(a != (try run(split: false, seed: 8)))
    let problem = try LossFixtureProblem()
    let puw = try MethodRegistry.make("puw-approx", tasks: Self.tasks)
    #expect(throws: MTLStepError.self) { try puw.backward(problem.makeStep()) }
  }
}
