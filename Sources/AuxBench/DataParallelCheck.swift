import AuxEngine
import AuxMTL
import AuxNN

/// A data-parallel run small enough to compare with one process: a tanh encoder shared by one
/// primary and two auxiliary regression heads, trained a few SGD-with-momentum steps by the
/// ``AuxMTL/StepDriver`` on a synthetic data set.
///
/// Every rank builds the same model and data from the seed; each epoch's global order is one
/// permutation drawn from the seed, cut into global batches, and rank `r` reads its
/// ``AuxMTL/DataShard`` of each. So ``run(_:communicator:)`` with `R` ranks and with one process
/// sees the same samples in the same global batches, and — when the driver's collectives keep the
/// method's meaning — ends at the same parameters up to float32 reduction order.
///
/// The tests run it with ``AuxMTL/ThreadGroupCommunicator`` ranks and compare the result with a
/// single-process run.
public enum DataParallelCheck {
  /// What to run.
  public struct Settings: Sendable {
    /// The registered method and its options.
    public var method: String
    public var options: [String: String]
    /// Optimiser steps (global batches).
    public var steps: Int
    /// Samples per global batch (all ranks together).
    public var globalBatch: Int
    /// Seeds the model, the data, the order and the method.
    public var seed: UInt64

    public init(method: String, options: [String: String] = [:], steps: Int = 4, globalBatch: Int = 8, seed: UInt64 = 3) {
      self.method = method
      self.options = options
      self.steps = steps
      self.globalBatch = globalBatch
      self.seed = seed
    }
  }

  /// The tasks: one primary, two auxiliaries.
  public static let tasks = [
    TaskInfo("main", role: .primary), TaskInfo("aux1", role: .auxiliary), TaskInfo("aux2", role: .auxiliary),
  ]

  static let inputs = 5
  static let features = 6
  static let outputs = 2
  /// Samples in the data set: two global batches' worth per epoch.
  static func sampleCount(_ s: Settings) -> Int { 2 * s.globalBatch }

  /// Trains `settings.steps` steps on this rank's shards and returns every optimised parameter's
  /// values (the model's, then the method's), flattened in the optimiser's order (0 steps: the
  /// initial values).
  ///
  /// - Throws: ``AuxMTL/CommunicatorError`` when the global batch is not divisible by the ranks,
  ///   the method's errors, and the driver's (a method that is not data-parallel exact).
  public static func run(_ settings: Settings, communicator: any Communicator) throws -> [Float] {
    guard settings.steps >= 0 else { throw MTLStepError("DataParallelCheck: steps must be ≥ 0; found \(settings.steps)") }
    let shard = try DataShard(globalBatch: settings.globalBatch, rank: communicator.rank, size: communicator.size)
    var rng = RandomGenerator(seed: settings.seed)
    let encoder = Linear(inputs, features, rng: &rng)
    let heads = tasks.map { _ in Linear(features, outputs, rng: &rng) }
    let n = sampleCount(settings)
    let x = Initializers.normal([n, inputs], using: &rng)
    // Targets: a different nonlinear function of the inputs per task, plus noise, so the tasks'
    // gradients neither coincide nor vanish.
    let mixing = tasks.map { _ in Initializers.normal([inputs, outputs], using: &rng) }
    let targets = mixing.enumerated().map { t, m in
      Autograd.withoutGradients {
        (x.matmul(m) * Float(1 + t)).tanh() + Initializers.normal([n, outputs], std: 0.1, using: &rng)
      }
    }
    let method = try MethodRegistry.make(settings.method, tasks: tasks, options: settings.options, seed: settings.seed)
    var modelParameters: [(name: String, parameter: Parameter)] = encoder.namedParameters(prefix: "encoder.").map { (name: $0.0, parameter: $0.1) }
    for (t, h) in heads.enumerated() { modelParameters += h.namedParameters(prefix: "heads.\(t).").map { (name: $0.0, parameter: $0.1) } }
    var groups = [ParameterGroup(name: "model", parameters: modelParameters, learningRate: 0.1)]
    if !method.parameters.isEmpty {
      groups.append(ParameterGroup(name: "method", parameters: method.parameters, learningRate: 0.1))
    }
    let optimizer = SGD(groups, momentum: 0.9)
    let split = ModelSplit(sharedParameters: encoder.parameters(), taskParameters: heads.map { $0.parameters() })
    let driver = try StepDriver(tasks: tasks, model: split, method: method, optimizer: optimizer, communicator: communicator)

    var order: [Int] = []
    for step in 0..<settings.steps {
      let batchesPerEpoch = n / settings.globalBatch
      let epoch = step / batchesPerEpoch
      let k = step % batchesPerEpoch
      if k == 0 { order = permutation(n, seed: settings.seed &+ UInt64(epoch) &* 7919) }
      let global = Array(order[(k * settings.globalBatch)..<((k + 1) * settings.globalBatch)])
      let mine = try shard.indices(of: global)
      let input = x.gatherRows(mine)
      let wanted = targets.map { $0.gatherRows(mine) }
      let batch = StepBatch(
        encode: { encoder(input).tanh() },
        losses: { shared in tasks.indices.map { t in heads[t](shared[t]).mseLoss(wanted[t]) } })
      try driver.step(batch, epoch: epoch, iteration: step)
    }
    return optimizer.allParameters.flatMap { $0.parameter.value.scalars }
  }

  /// A permutation of `0..<n` (Fisher–Yates) drawn from `seed`, the same on every rank.
  static func permutation(_ n: Int, seed: UInt64) -> [Int] {
    var rng = RandomGenerator(seed: seed)
    var p = Array(0..<n)
    for i in stride(from: n - 1, to: 0, by: -1) {
      p.swapAt(i, rng.nextInt(below: i + 1))
    }
    return p
  }
}
