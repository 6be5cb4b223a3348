import AuxData
import AuxNN

/// An optimiser `optimizer.name` names.
///
/// Adding one is one file (an `extension OptimizerDescriptor` with a `static let`) and one line
/// in ``OptimizerRegistry/standard``.
public struct OptimizerDescriptor: RegistryEntry {
  public let name: String
  public let summary: String
  public let options: [RegistryOption]
  /// Builds the optimiser over the run's parameter groups (which carry the learning rates and
  /// weight decays) from the `optimizer` section.
  public let make: @Sendable ([ParameterGroup], TrainConfig.OptimizerConfig) throws -> any Optimizer

  public init(
    name: String, summary: String, options: [RegistryOption] = [],
    make: @escaping @Sendable ([ParameterGroup], TrainConfig.OptimizerConfig) throws -> any Optimizer
  ) {
    self.name = name
    self.summary = summary
    self.options = options
    self.make = make
  }
}

/// The optimisers `optimizer.name` accepts.
public typealias OptimizerRegistry = Registry<OptimizerDescriptor>

extension Registry where Entry == OptimizerDescriptor {
  /// The optimisers auxmtl ships.
  public static var standard: OptimizerRegistry { OptimizerRegistry(key: "optimizer.name", [.sgd, .adam, .adamw]) }
}
