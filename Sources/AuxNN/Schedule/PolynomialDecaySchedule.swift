/// Polynomial ("poly") decay to zero over `maxEpochs`: lr = base · (1 − min(epoch, maxEpochs) / maxEpochs)^power.
///
/// With `power` 0.9 (the default here) this is the schedule of the IAL / MTI-Net code
/// (`adjust_learning_rate`, `lr · (1 − epoch / epochs)^0.9`, set once per epoch on every group;
/// the NYUv2/Cityscapes training recipes). It is also `torch.optim.lr_scheduler.PolynomialLR(total_iters:
/// maxEpochs, power:)` in its closed form (whose default power is 1), which stays at 0 after
/// `maxEpochs`.
///
/// Each group decays from its own base rate. The IAL code instead writes one rate, computed from
/// the single configured rate, into every group; the two agree whenever all groups share the base
/// rate, as they do in IAL's configuration.
public struct PolynomialDecaySchedule: LearningRateSchedule, Equatable {
  /// The epoch at which the rate reaches 0 (> 0).
  public let maxEpochs: Int
  /// The exponent; 0.9 in the IAL code.
  public let power: Double

  public init(maxEpochs: Int, power: Double = 0.9) {
    precondition(maxEpochs > 0, "PolynomialDecaySchedule: maxEpochs must be > 0, got \(maxEpochs)")
    precondition(power >= 0, "PolynomialDecaySchedule: power must be ≥ 0, got \(power)")
    self.maxEpochs = maxEpochs
    self.power = power
  }

  public func learningRate(base: Double, epoch: Int) -> Double {
    precondition(epoch >= 0, "PolynomialDecaySchedule: epoch must be ≥ 0, got \(epoch)")
    return base * ScheduleMath.pow(1.0 - Double(Swift.min(epoch, maxEpochs)) / Double(maxEpochs), power)
  }

  public var description: String { "poly(maxEpochs: \(maxEpochs), power: \(power))" }
}
