/// Cosine annealing from the base rate to `etaMin` over `tMax` epochs, as
/// `torch.optim.lr_scheduler.CosineAnnealingLR` in its closed form (`_get_closed_form_lr`):
///
///     lr = etaMin + (base − etaMin) · (1 + cos(π · epoch / tMax)) / 2
///
/// Past `tMax` the rate rises again (the cosine is periodic), as in PyTorch. PyTorch's default
/// `step()` uses a chained (recursive) form instead; it agrees with this closed form to about
/// 1e-14 relative in Double (checked for tMax = 10 and 100 over three periods) unless something
/// else changes the group's rate between steps, which the chained form would carry along and this
/// form ignores. The tests compare against both.
public struct CosineAnnealingSchedule: LearningRateSchedule, Equatable {
  /// Half-period in epochs (> 0): the rate reaches `etaMin` at epoch `tMax`.
  public let tMax: Int
  /// The lowest rate; PyTorch's default 0.
  public let etaMin: Double

  public init(tMax: Int, etaMin: Double = 0) {
    precondition(tMax > 0, "CosineAnnealingSchedule: tMax must be > 0, got \(tMax)")
    precondition(etaMin >= 0, "CosineAnnealingSchedule: etaMin must be ≥ 0, got \(etaMin)")
    self.tMax = tMax
    self.etaMin = etaMin
  }

  public func learningRate(base: Double, epoch: Int) -> Double {
    precondition(epoch >= 0, "CosineAnnealingSchedule: epoch must be ≥ 0, got \(epoch)")
    return etaMin + (base - etaMin) * (1 + ScheduleMath.cos(Double.pi * Double(epoch) / Double(tMax))) / 2
  }

  public var description: String { "cosine(tMax: \(tMax), etaMin: \(etaMin))" }
}
