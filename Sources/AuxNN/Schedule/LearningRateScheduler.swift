import AuxEngine

/// Applies a ``LearningRateSchedule`` to every group of an optimiser and keeps the position.
///
/// Like a PyTorch scheduler, creating it sets every group to the rate of the starting position
/// (epoch 0 unless resuming), and each ``step()`` advances one position and sets the new rates:
///
/// ```swift
/// let scheduler = LearningRateScheduler(PolynomialDecaySchedule(maxEpochs: 100), optimizer: adam)
/// for epoch in 0..<100 {
///   train(epoch)           // uses the rates of `epoch`
///   scheduler.step()
/// }
/// ```
///
/// Every group's rate is `schedule.learningRate(base: group.baseLearningRate, epoch:)`. Whether a
/// position means an epoch or an iteration is the caller's choice. The position is saved with
/// ``state`` and restored with ``restore(_:)`` for checkpoint resume; since rates are in closed
/// form, the restored rates are exactly those of an uninterrupted run.
public final class LearningRateScheduler {
  /// The schedule being applied.
  public let schedule: any LearningRateSchedule
  /// The optimiser whose groups are set.
  public let optimizer: any Optimizer
  /// The current position: the number of ``step()`` calls since epoch 0.
  public private(set) var epoch: Int

  /// The position of a scheduler, for checkpoints (`Codable`).
  public struct State: Codable, Equatable, Sendable {
    /// The schedule's description, checked on restore so that a checkpoint is not resumed under
    /// another schedule by mistake.
    public var schedule: String
    /// The position.
    public var epoch: Int

    public init(schedule: String, epoch: Int) {
      self.schedule = schedule
      self.epoch = epoch
    }
  }

  /// Creates a scheduler at position `epoch` and sets every group's rate for that position.
  public init(_ schedule: any LearningRateSchedule, optimizer: any Optimizer, epoch: Int = 0) {
    precondition(epoch >= 0, "LearningRateScheduler: epoch must be ≥ 0, got \(epoch)")
    self.schedule = schedule
    self.optimizer = optimizer
    self.epoch = epoch
    apply()
  }

  /// Advances one position and sets the groups' rates.
  public func step() {
    epoch += 1
    apply()
  }

  /// The rates of the current position, one per group (also what the groups hold now).
  public var learningRates: [Float] {
    optimizer.groups.map { Float(schedule.learningRate(base: Double($0.baseLearningRate), epoch: epoch)) }
  }

  /// The position, for a checkpoint.
  public var state: State { State(schedule: schedule.description, epoch: epoch) }

  /// Moves to a saved position and sets the groups' rates.
  ///
  /// - Throws: ``OptimizerStateError`` when the state was saved under a different schedule or its
  ///   position is negative; nothing changes in that case.
  public func restore(_ state: State) throws {
    guard state.schedule == schedule.description else {
      throw OptimizerStateError(
        "learning-rate schedule state was saved for '\(state.schedule)', this scheduler runs '\(schedule.description)'")
    }
    guard state.epoch >= 0 else {
      throw OptimizerStateError("learning-rate schedule state has a negative position \(state.epoch)")
    }
    epoch = state.epoch
    apply()
  }

  private func apply() {
    let rates = learningRates
    for i in optimizer.groups.indices { optimizer.groups[i].learningRate = rates[i] }
  }
}
