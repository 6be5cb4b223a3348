import AuxData
import AuxNN

/// A learning-rate schedule `schedule.name` names (stepped once per epoch; `schedule.warmup_epochs`
/// puts a linear warm-up in front of any of them).
///
/// Adding one is one file (an `extension ScheduleDescriptor` with a `static let`) and one line in
/// ``ScheduleRegistry/standard``.
public struct ScheduleDescriptor: RegistryEntry {
  public let name: String
  public let summary: String
  public let options: [RegistryOption]
  /// Builds the schedule from the `schedule` section for a run of `epochs` epochs.
  public let make: @Sendable (_ schedule: TrainConfig.ScheduleConfig, _ epochs: Int) throws -> any LearningRateSchedule
  /// A check of how the schedule's keys combine with the rest of the config, run by
  /// ``TrainConfig/validate()``: the key at fault and the message, or nil.
  public let check: @Sendable (TrainConfig) -> (key: String, message: String)?

  public init(
    name: String, summary: String, options: [RegistryOption] = [],
    check: @escaping @Sendable (TrainConfig) -> (key: String, message: String)? = { _ in nil },
    make: @escaping @Sendable (_ schedule: TrainConfig.ScheduleConfig, _ epochs: Int) throws -> any LearningRateSchedule
  ) {
    self.name = name
    self.summary = summary
    self.options = options
    self.check = check
    self.make = make
  }
}

/// The schedules `schedule.name` accepts.
public typealias ScheduleRegistry = Registry<ScheduleDescriptor>

extension Registry where Entry == ScheduleDescriptor {
  /// The schedules auxmtl ships.
  public static var standard: ScheduleRegistry { ScheduleRegistry(key: "schedule.name", [.constant, .step, .cosine, .poly]) }
}
