import AuxEngine
import AuxNN
import AuxTestSupport
import Testing

/// ``Optimizer/virtualUpdate(of:inGroup:gradient:)``: the next step computed without taking it.
@Suite("Optimizer virtual step")
struct VirtualUpdateTests {
  /// The group index of every parameter of `opt`, by name.
  static func groupIndex(_ opt: any Optimizer) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: opt.allParameters.map { ($0.name, $0.group) })
  }

  @Test("before every step of the torch.optim fixtures the virtual update equals the step bit for bit and changes nothing", arguments: OptimizerFixtureTests.cases)
  func virtualEqualsActual(id: String) throws {
    let c = try OptimizerFixtureCase(id)
    let params = try c.makeParameters()
    let opt = c.makeOptimizer(params)
    let groups = Self.groupIndex(opt)
    for k in 0..<c.steps {
      var virtual: [String: Tensor] = [:]
      let stateBefore = opt.stateDict()
      for (n, p) in params {
        guard let g = c.archive.tensors["grad/\(k)/\(n)"] else { continue }
        let before = p.value.scalars
        virtual[n] = try opt.virtualUpdate(of: p, inGroup: groups[n]!, gradient: g).value
        #expect(p.value.scalars == before, "\(id) step \(k): the virtual update moved \(n)")
      }
      let stateAfter = opt.stateDict()
      #expect(Set(stateAfter.keys) == Set(stateBefore.keys), "\(id) step \(k): the virtual update changed the state's entries")
      for (key, t) in stateBefore { #expect(stateAfter[key]?.scalars == t.scalars, "\(id) step \(k): state \(key) changed") }
      c.step(k, opt, params)
      for (n, v) in virtual { #expect(v.scalars == params[n]!.value.scalars, "\(id) step \(k): virtual \(n) differs from the step") }
    }
  }

  @Test("the derivative in the gradient matches central differences of the virtual value", arguments: OptimizerFixtureTests.cases)
  func derivativeMatchesFiniteDifferences(id: String) throws {
    let c = try OptimizerFixtureCase(id)
    let params = try c.makeParameters()
    let opt = c.makeOptimizer(params)
    let groups = Self.groupIndex(opt)
    // After four steps, so that momentum buffers and moments are in play (the fifth gradient
    // has scale 1).
    for k in 0..<4 { c.step(k, opt, params) }
    let w = params["w"]!
    let g = try c.tensor("grad/4/w")
    let theta = w.value.scalars
    let derivative = try opt.virtualUpdate(of: w, inGroup: groups["w"]!, gradient: g).gradientDerivative.scalars
    let base = g.scalars
    for e in 0..<base.count {
      let h = max(abs(base[e]) * 3e-2, 1e-3)
      var plus = base, minus = base
      plus[e] += h
      minus[e] -= h
      let vp = try opt.virtualUpdate(of: w, inGroup: groups["w"]!, gradient: Tensor(shape: g.shape, scalars: plus)).value.scalars
      let vm = try opt.virtualUpdate(of: w, inGroup: groups["w"]!, gradient: Tensor(shape: g.shape, scalars: minus)).value.scalars
      let fd = (Double(vp[e]) - Double(vm[e])) / Double(2 * h)
      // Rounding of θ′ in Float32 bounds how well the difference can resolve the derivative.
      let rounding = 4 * Double(Float.ulpOfOne) * max(1, Double(abs(theta[e]))) / Double(2 * h)
      let scale = max(abs(fd), abs(Double(derivative[e])))
      #expect(abs(fd - Double(derivative[e])) <= 2e-2 * scale + rounding, "\(id) element \(e): derivative \(derivative[e]), central difference \(fd)")
      // Other elements do not depend on this gradient element (the Jacobian is diagonal).
      for o in 0..<base.count where o != e { #expect(vp[o] == vm[o], "\(id): element \(o) depends on gradient element \(e)") }
    }
  }

  /// An optimiser that does not implement the virtual step.
  final class Unsupported: Optimizer {
    var groups: [ParameterGroup] = []
    func step() {}
    func stateDict() -> [String: Tensor] { [:] }
    func loadStateDict(_ state: [String: Tensor]) throws {}
  }

  @Test("an optimiser without a virtual step throws an error naming it")
  func unsupported() {
    let p = Parameter(Tensor([1, 2]))
    #expect { try Unsupported().virtualUpdate(of: p, inGroup: 0, gradient: Tensor([1, 1])) } throws: {
      ($0 as? VirtualStepUnsupportedError)?.optimizer == "Unsupported" && "\($0)".contains("no virtual step")
    }
  }
}
