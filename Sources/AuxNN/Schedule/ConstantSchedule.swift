/// The base learning rate at every epoch (no schedule), for configurations that always build a
/// ``LearningRateScheduler``.
public struct ConstantSchedule: LearningRateSchedule, Equatable {
  public init() {}

  public func learningRate(base: Double, epoch: Int) -> Double {
    precondition(epoch >= 0, "ConstantSchedule: epoch must be ≥ 0, got \(epoch)")
    return base
  }

  public var description: String { "constant" }
}
