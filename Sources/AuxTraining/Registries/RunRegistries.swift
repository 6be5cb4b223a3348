import AuxData

/// Every registry a run draws its named choices from: datasets, networks, optimisers and
/// schedules (weighting methods are ``AuxMTL/MethodRegistry``'s).
///
/// The config schema's allowed values, ``TrainConfig/validate(registries:)``, the
/// ``RunBuilder`` and `auxmtl components` all read these, so a program that registers its own
/// dataset, network, optimiser or schedule in a copy of ``standard`` can load, check and train
/// configurations that name it.
public struct RunRegistries: Sendable {
  public var datasets: DatasetRegistry
  public var networks: NetworkRegistry
  public var optimizers: OptimizerRegistry
  public var schedules: ScheduleRegistry

  public init(
    datasets: DatasetRegistry = .standard, networks: NetworkRegistry = .standard, optimizers: OptimizerRegistry = .standard,
    schedules: ScheduleRegistry = .standard
  ) {
    self.datasets = datasets
    self.networks = networks
    self.optimizers = optimizers
    self.schedules = schedules
  }

  /// What auxmtl ships.
  public static var standard: RunRegistries { RunRegistries() }
}
