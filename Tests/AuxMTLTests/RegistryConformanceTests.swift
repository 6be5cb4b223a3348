import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// The conformance suite run over the whole method registry: every method must give finite
/// outputs, be deterministic under a seed, resume exactly from its state dict, be invariant to the
/// order of auxiliary tasks where its descriptor claims so, and survive zero losses and zero
/// gradients without NaN (or refuse them clearly) — over several SGD steps (with momentum, two
/// steps per epoch) of the fixture problem, with the method's own parameters in the optimiser.
/// The steps run through ``StepDriver``, which gives each method only what it declares, so the
/// suite also proves every method's declared requirements are enough.
@Suite("Method registry conformance")
struct RegistryConformanceTests {
  static let names = MethodRegistry.all.map(\.name)
  static let options: [String: [String: String]] = [
    "puw-approx": ["interval": "2", "particles": "4"], "ol-aux": ["n": "2"], "auto-lambda": ["meta_lr": "0.01"],
    "famo": ["reuse_next_losses": "false"], "stch": ["warmup_epochs": "0"], "post-train": ["switch_epoch": "1"],
    "excess-mtl": ["robust_step_size": "0.5"], "modo": ["gamma": "0.1"],
  ]

  struct Run: Equatable {
    var reports: [StepReport] = []
    var parameters: [[Float]] = []
  }

  /// Six SGD steps (two per epoch); the method's own parameters train in the same optimiser.
  static func run(
    _ name: String, seed: UInt64 = 1, order: [Int] = [0, 1, 2], splitAfter: Int? = nil,
    kind: LossFixtureProblem.LossKind = .regression, steps: Int = 6
  ) throws -> Run {
    let problem = try LossFixtureProblem()
    let tasks = order.map { LossFixtureProblem.tasks[$0] }
    func make(_ seed: UInt64) throws -> any WeightingMethod {
      try MethodRegistry.make(name, tasks: tasks, options: options[name] ?? [:], seed: seed)
    }
    func optimizer(_ m: any WeightingMethod) -> SGD {
      problem.sgd(lr: 0.05, momentum: 0.9, extra: m.parameters.isEmpty ? [] : [ParameterGroup(name: "method", parameters: m.parameters, learningRate: 0.05)])
    }
    var method = try make(seed)
    var opt = optimizer(method)
    var driver = try problem.driver(method, optimizer: opt, order: order)
    var out = Run()
    for k in 0..<steps {
      out.reports.append(try driver.step(problem.batch(order: order, kind: kind), epoch: k / 2, iteration: k).report)
      if splitAfter == k {
        let fresh = try make(seed &+ 100)
        try fresh.loadStateDict(method.stateDict())
        method = fresh
        let saved = opt.stateDict()
        opt = optimizer(method)
        try opt.loadStateDict(saved)
        driver = try problem.driver(method, optimizer: opt, order: order)
      }
    }
    out.parameters = problem.named.map { $0.1.value.scalars } + method.parameters.map { $0.parameter.value.scalars }
    return out
  }

  @Test("the registry lists every method once, each with a reference and documented options")
  func registryIsComplete() {
    #expect(Set(Self.names).count == Self.names.count)
    #expect(Self.names.count == 44)
  }

  @Test("every method is registered under its name", arguments: names)
  func registered(name: String) throws {
    let d = try #require(MethodRegistry.descriptor(named: name))
    #expect(d.name == name)
    #expect(!d.reference.isEmpty && !d.summary.isEmpty)
    #expect(Set(d.options.map(\.name)).count == d.options.count)
  }

  @Test("finite outputs, same seed → same run, and the state round trip resumes exactly", arguments: names)
  func deterministicAndRoundTrip(name: String) throws {
    let a = try Self.run(name)
    for r in a.reports {
      let finite = r.values.values.allSatisfy { $0.isFinite }
      #expect(finite, "\(name): \(r.values)")
      for t in LossFixtureProblem.tasks { #expect(r.values["weight/\(t.name)"] != nil) }
    }
    #expect(a.parameters.allSatisfy { $0.allSatisfy(\.isFinite) })
    #expect(a == (try Self.run(name)))
    #expect(a == (try Self.run(name, splitAfter: 2)))
  }

  @Test("reordering the auxiliary tasks permutes the outputs and nothing else (where claimed)", arguments: names)
  func auxiliaryOrder(name: String) throws {
    guard MethodRegistry.descriptor(named: name)!.auxiliaryOrderInvariant else { return }
    let a = try Self.run(name)
    let b = try Self.run(name, order: [0, 2, 1])
    for (ra, rb) in zip(a.reports, b.reports) {
      #expect(Set(ra.values.keys) == Set(rb.values.keys))
      for (key, va) in ra.values {
        guard let vb = rb.values[key] else { continue }
        #expect(abs(va - vb) <= 1e-4 + 1e-3 * abs(va), "\(name) \(key): \(va) vs \(vb)")
      }
    }
    // The network's parameters (named by head, not by task position) end up the same.
    for (pa, pb) in zip(a.parameters.prefix(8), b.parameters.prefix(8)) {
      for (x, y) in zip(pa, pb) { #expect(abs(x - y) <= 1e-5 + 1e-3 * abs(x), "\(name): \(x) vs \(y)") }
    }
  }

  @Test("zero losses and zero gradients: no NaN (or a clear error)", arguments: names)
  func degenerate(name: String) throws {
    for kind in [LossFixtureProblem.LossKind.zero, .constant] {
      do {
        let r = try Self.run(name, kind: kind, steps: 3)
        let finite = r.reports.allSatisfy { $0.values.values.allSatisfy { $0.isFinite } } && r.parameters.allSatisfy { $0.allSatisfy(\.isFinite) }
        #expect(finite, "\(name) with \(kind) losses")
      } catch is MTLStepError {
        // A clear refusal is acceptable.
      }
    }
  }
}
