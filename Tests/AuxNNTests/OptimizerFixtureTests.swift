import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import Foundation
import Testing

/// One optimiser configuration of `scripts/fixtures/optim.py`, with PyTorch's parameters after
/// each of its steps.
struct OptimizerFixtureCase {
  let archive: SafetensorsArchive
  let name: String
  let config: [String: Any]
  let steps: Int

  /// `"<file>/<case>"`, e.g. `"optim_adam/adamw"`.
  init(_ id: String) throws {
    let parts = id.split(separator: "/").map(String.init)
    archive = try Fixtures.load(parts[0])
    name = parts[1]
    let cases = try JSONSerialization.jsonObject(with: Data(archive.metadata["cases"]!.utf8)) as! [String: Any]
    config = try #require(cases[name] as? [String: Any], "no case \(name) in \(parts[0])")
    steps = Int(archive.metadata["steps"]!)!
  }

  func tensor(_ key: String) throws -> Tensor { try archive.tensor(key) }

  /// Fresh parameters holding the fixture's initial values (or `values` when given).
  func makeParameters(values: [String: Tensor]? = nil) throws -> [String: Parameter] {
    var out: [String: Parameter] = [:]
    for n in ["w", "b"] { out[n] = Parameter(try values?[n] ?? tensor("init/\(n)")) }
    return out
  }

  func makeOptimizer(_ params: [String: Parameter]) -> any Optimizer {
    let groups = (config["groups"] as! [[String: Any]]).enumerated().map { i, g in
      ParameterGroup(
        name: "g\(i)", parameters: (g["params"] as! [String]).map { (name: $0, parameter: params[$0]!) },
        learningRate: Float(g["lr"] as! Double), weightDecay: Float(g["weight_decay"] as! Double))
    }
    switch config["optimizer"] as! String {
    case "sgd":
      return SGD(
        groups, momentum: Float(config["momentum"] as! Double), dampening: Float(config["dampening"] as! Double),
        nesterov: config["nesterov"] as! Bool)
    case "adam", "adamw":
      let betas = (config["betas"] as! [Double]).map(Float.init)
      let eps = Float(config["eps"] as! Double)
      let ams = config["amsgrad"] as! Bool
      return config["optimizer"] as! String == "adam"
        ? Adam(groups, betas: (betas[0], betas[1]), eps: eps, amsgrad: ams)
        : AdamW(groups, betas: (betas[0], betas[1]), eps: eps, amsgrad: ams)
    default:
      preconditionFailure("unknown optimizer in fixture")
    }
  }

  /// Sets the gradients of step `k` (nil where PyTorch had none) and steps.
  func step(_ k: Int, _ opt: any Optimizer, _ params: [String: Parameter]) {
    for (n, p) in params { p.grad = archive.tensors["grad/\(k)/\(n)"] }
    opt.step()
  }

  /// Compares the parameters with PyTorch's after step `k`.
  func check(_ k: Int, _ params: [String: Parameter], label: String = "") throws {
    for n in ["w", "b"] {
      let expected = try tensor("\(name)/\(k)/\(n)")
      let m = Closeness.mismatch(params[n]!.value, expected, rtol: 1e-5, atol: 1e-6)
      #expect(m == nil, "\(name)\(label) step \(k) parameter \(n): \(m ?? "")")
    }
  }
}

@Suite("Optimizers vs PyTorch")
struct OptimizerFixtureTests {
  static let cases = [
    "optim_sgd/sgd_plain", "optim_sgd/sgd_momentum_dampening", "optim_sgd/sgd_nesterov", "optim_sgd/sgd_weight_decay",
    "optim_adam/adam", "optim_adam/adam_l2", "optim_adam/adam_amsgrad", "optim_adam/adam_low_beta1",
    "optim_adam/adamw", "optim_adam/adamw_amsgrad",
  ]

  @Test("parameters after each step match torch.optim", arguments: cases)
  func matchesPyTorch(id: String) throws {
    let c = try OptimizerFixtureCase(id)
    let params = try c.makeParameters()
    let opt = c.makeOptimizer(params)
    for k in 0..<c.steps {
      c.step(k, opt, params)
      try c.check(k, params)
    }
    // The final optimiser state equals PyTorch's `optimizer.state`, entry by entry.
    let state = opt.stateDict()
    let expectedKeys = c.archive.tensors.keys.filter { $0.hasPrefix("\(c.name)/state/") }
    #expect(Set(state.keys) == Set(expectedKeys.map { String($0.dropFirst("\(c.name)/state/".count)) }))
    for key in expectedKeys {
      let entry = String(key.dropFirst("\(c.name)/state/".count))
      guard let ours = state[entry] else { continue }
      let m = Closeness.mismatch(ours, try c.tensor(key), rtol: 1e-5, atol: 1e-7)
      #expect(m == nil, "\(id) state \(entry): \(m ?? "")")
    }
  }

  @Test("a state dict taken after 2 steps resumes the run exactly in a new optimiser", arguments: cases)
  func stateDictRoundTrip(id: String) throws {
    let c = try OptimizerFixtureCase(id)
    let params = try c.makeParameters()
    let first = c.makeOptimizer(params)
    for k in 0..<2 { c.step(k, first, params) }
    let saved = first.stateDict()
    // New Parameter objects (as after loading a checkpoint), same names and values.
    let resumed = try c.makeParameters(values: params.mapValues { $0.value.detached() })
    let second = c.makeOptimizer(resumed)
    try second.loadStateDict(saved)
    for k in 2..<c.steps {
      c.step(k, second, resumed)
      try c.check(k, resumed, label: " (resumed)")
    }
  }

  @Test("without the saved state the resumed run differs (the round-trip test can fail)")
  func stateMatters() throws {
    let c = try OptimizerFixtureCase("optim_adam/adam")
    let params = try c.makeParameters()
    let first = c.makeOptimizer(params)
    for k in 0..<2 { c.step(k, first, params) }
    let fresh = c.makeOptimizer(params)
    c.step(2, fresh, params)
    let m = Closeness.mismatch(params["w"]!.value, try c.tensor("adam/2/w"), rtol: 1e-5, atol: 1e-6)
    #expect(m != nil)
  }

  @Test("zeroGrad clears every group's gradients; parameters without a gradient are not touched")
  func zeroGradAndSkip() throws {
    let a = Parameter(Tensor([1, 2]))
    let b = Parameter(Tensor([3]))
    let opt = Adam([
      ParameterGroup(name: "a", parameters: [(name: "a", parameter: a)], learningRate: 0.1),
      ParameterGroup(name: "b", parameters: [(name: "b", parameter: b)], learningRate: 0.1),
    ])
    a.grad = Tensor([1, 1])
    opt.step()
    #expect(b.value.scalars == [3])
    #expect(opt.stateDict()["b.step"] == nil && opt.stateDict()["a.step"]?.item == 1)
    b.grad = Tensor([1])
    opt.zeroGrad()
    #expect(a.grad == nil && b.grad == nil)
  }
}

@Suite("Optimizer state errors")
struct OptimizerStateErrorTests {
  static func adam(amsgrad: Bool = false) -> (Adam, Parameter) {
    let w = Parameter(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
    let opt = Adam([ParameterGroup(name: "all", parameters: [(name: "w", parameter: w)], learningRate: 0.01)], amsgrad: amsgrad)
    w.grad = Tensor(shape: [2, 2], scalars: [0.1, -0.2, 0.3, -0.4])
    opt.step()
    return (opt, w)
  }

  static func message(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch let e as OptimizerStateError {
      return e.message
    } catch {
      return "unexpected error \(error)"
    }
  }

  @Test("Adam refuses mis-shaped, partial, unexpected and AMSGrad-mismatched state and keeps its own")
  func adamMismatch() throws {
    let (opt, _) = Self.adam()
    let good = opt.stateDict()
    #expect(Set(good.keys) == ["w.exp_avg", "w.exp_avg_sq", "w.step"])

    var wrongShape = good
    wrongShape["w.exp_avg"] = Tensor.zeros([4])
    let m1 = try #require(Self.message { try opt.loadStateDict(wrongShape) })
    #expect(m1.contains("w.exp_avg") && m1.contains("[4]") && m1.contains("[2, 2]"), "\(m1)")

    var partial = good
    partial["w.exp_avg_sq"] = nil
    let m2 = try #require(Self.message { try opt.loadStateDict(partial) })
    #expect(m2.contains("lacks exp_avg_sq"), "\(m2)")

    var unexpected = good
    unexpected["encoder.weight.exp_avg"] = Tensor.zeros([2, 2])
    let m3 = try #require(Self.message { try opt.loadStateDict(unexpected) })
    #expect(m3.contains("unexpected") && m3.contains("encoder.weight.exp_avg"), "\(m3)")

    var badStep = good
    badStep["w.step"] = Tensor(2.5)
    let m4 = try #require(Self.message { try opt.loadStateDict(badStep) })
    #expect(m4.contains("w.step"), "\(m4)")

    let (amsOpt, _) = Self.adam(amsgrad: true)
    let m5 = try #require(Self.message { try opt.loadStateDict(amsOpt.stateDict()) })
    #expect(m5.contains("AMSGrad"), "\(m5)")
    let m6 = try #require(Self.message { try amsOpt.loadStateDict(good) })
    #expect(m6.contains("lacks max_exp_avg_sq"), "\(m6)")

    // After all the failures the optimiser still has its own state.
    let after = opt.stateDict()
    #expect(Set(after.keys) == Set(good.keys))
    for (k, v) in good { #expect(after[k]!.scalars == v.scalars, "\(k)") }
    // And a correct state loads.
    #expect(Self.message { try opt.loadStateDict(good) } == nil)
  }

  @Test("SGD refuses mis-shaped and unexpected momentum buffers")
  func sgdMismatch() throws {
    let w = Parameter(Tensor([1, 2, 3]))
    let opt = SGD([ParameterGroup(name: "all", parameters: [(name: "w", parameter: w)], learningRate: 0.1)], momentum: 0.9)
    w.grad = Tensor([1, 1, 1])
    opt.step()
    let good = opt.stateDict()
    #expect(good["w.momentum_buffer"]?.scalars == [1, 1, 1])
    let m1 = try #require(Self.message { try opt.loadStateDict(["w.momentum_buffer": Tensor([1, 2])]) })
    #expect(m1.contains("w.momentum_buffer") && m1.contains("[2]") && m1.contains("[3]"), "\(m1)")
    let m2 = try #require(Self.message { try opt.loadStateDict(["v.momentum_buffer": Tensor([1, 2, 3])]) })
    #expect(m2.contains("unexpected") && m2.contains("v.momentum_buffer"), "\(m2)")
    #expect(opt.stateDict()["w.momentum_buffer"]?.scalars == [1, 1, 1])
  }

  @Test("a state dict is a snapshot: later steps do not change it")
  func snapshot() throws {
    let (opt, w) = Self.adam()
    let saved = opt.stateDict()
    let before = saved["w.exp_avg"]!.scalars
    w.grad = Tensor(shape: [2, 2], scalars: [1, 1, 1, 1])
    opt.step()
    #expect(saved["w.exp_avg"]!.scalars == before)
    #expect(opt.stateDict()["w.exp_avg"]!.scalars != before)
  }
}
