/// Decays the learning rate by `gamma` every `stepSize` epochs, as `torch.optim.lr_scheduler.StepLR`:
/// lr = base · gamma^⌊epoch / stepSize⌋.
///
/// This is PyTorch's closed form; its chained form (multiplying the current rate by `gamma` at
/// each multiple of `stepSize`) gives the same values up to rounding (tested against both).
public struct StepSchedule: LearningRateSchedule, Equatable {
  /// Epochs between decays (> 0).
  public let stepSize: Int
  /// The factor applied at each decay; PyTorch's default 0.1.
  public let gamma: Double

  public init(stepSize: Int, gamma: Double = 0.1) {
    precondition(stepSize > 0, "StepSchedule: stepSize must be > 0, got \(stepSize)")
    precondition(gamma >= 0, "StepSchedule: gamma must be ≥ 0, got \(gamma)")
    self.stepSize = stepSize
    self.gamma = gamma
  }

  public func learningRate(base: Double, epoch: Int) -> Double {
    precondition(epoch >= 0, "StepSchedule: epoch must be ≥ 0, got \(epoch)")
    return base * ScheduleMath.pow(gamma, Double(epoch / stepSize))
  }

  public var description: String { "step(stepSize: \(stepSize), gamma: \(gamma))" }
}
