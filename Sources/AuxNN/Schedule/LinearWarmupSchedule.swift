/// A linear warm-up from `startFactor · base` to `base` over `epochs`, then another schedule
/// started afresh:
///
///     lr = base · (startFactor + (1 − startFactor) · epoch / epochs)   for epoch < epochs
///     lr = then(base, epoch − epochs)                                  afterwards
///
/// This equals PyTorch's `SequentialLR([LinearLR(start_factor: startFactor, total_iters: epochs),
/// then], milestones: [epochs])` (tested), where the second scheduler starts at its own epoch 0 at
/// the milestone. With `epochs` 0 it is `then` unchanged.
public struct LinearWarmupSchedule: LearningRateSchedule {
  /// Warm-up length (≥ 0).
  public let epochs: Int
  /// The fraction of the base rate at epoch 0, in [0, 1].
  public let startFactor: Double
  /// The schedule that follows the warm-up, with its epoch counted from the end of the warm-up.
  public let then: any LearningRateSchedule

  public init(epochs: Int, startFactor: Double, then: any LearningRateSchedule) {
    precondition(epochs >= 0, "LinearWarmupSchedule: epochs must be ≥ 0, got \(epochs)")
    precondition(startFactor >= 0 && startFactor <= 1, "LinearWarmupSchedule: startFactor must be in [0, 1], got \(startFactor)")
    self.epochs = epochs
    self.startFactor = startFactor
    self.then = then
  }

  public func learningRate(base: Double, epoch: Int) -> Double {
    precondition(epoch >= 0, "LinearWarmupSchedule: epoch must be ≥ 0, got \(epoch)")
    if epoch < epochs {
      return base * (startFactor + (1 - startFactor) * Double(epoch) / Double(epochs))
    }
    return then.learningRate(base: base, epoch: epoch - epochs)
  }

  public var description: String { "warmup(epochs: \(epochs), startFactor: \(startFactor)) then \(then.description)" }
}
