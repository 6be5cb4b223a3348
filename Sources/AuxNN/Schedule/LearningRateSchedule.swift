/// A learning rate as a function of the epoch (or iteration) count, in closed form.
///
/// Schedules are values; a ``LearningRateScheduler`` holds the position and writes the rates into
/// an optimiser's groups. Each schedule computes the rate of a group from that group's
/// ``ParameterGroup/baseLearningRate``, as PyTorch's `_get_closed_form_lr` does from `base_lrs`,
/// so the rate at any position is known without replaying earlier positions: that is what makes
/// resuming from a checkpoint exact.
///
/// Rates are computed in Double (as PyTorch computes them in Python floats) and rounded to Float
/// once, when written into a group.
public protocol LearningRateSchedule: Sendable, CustomStringConvertible {
  /// The learning rate at position `epoch` (0 = before the first ``LearningRateScheduler/step()``)
  /// for a group whose base learning rate is `base`.
  func learningRate(base: Double, epoch: Int) -> Double
}
