import AuxData
import AuxNN

extension ScheduleDescriptor {
  /// `constant`: the base learning rate throughout.
  public static let constant = ScheduleDescriptor(name: "constant", summary: "the base learning rate throughout") { _, _ in
    ConstantSchedule()
  }

  /// `step`: multiply by `gamma` every `step_size` epochs.
  public static let step = ScheduleDescriptor(
    name: "step", summary: "multiply the rate by gamma every step_size epochs",
    options: [RegistryOption("schedule.step_size", "epochs between decays"), RegistryOption("schedule.gamma", "decay factor")]
  ) { s, _ in
    StepSchedule(stepSize: max(s.stepSize, 1), gamma: s.gamma)
  }

  /// `cosine`: cosine annealing from the base rate to `min_learning_rate` over the epochs after
  /// warm-up.
  public static let cosine = ScheduleDescriptor(
    name: "cosine", summary: "cosine annealing to min_learning_rate over the epochs after warm-up",
    options: [RegistryOption("schedule.min_learning_rate", "final rate (must be below optimizer.learning_rate)")],
    check: { c in
      c.schedule.minLearningRate < c.optimizer.learningRate
        ? nil
        : (
          "schedule.min_learning_rate",
          "the cosine schedule anneals from optimizer.learning_rate (\(c.optimizer.learningRate)) down to this value, so it must be smaller; found \(c.schedule.minLearningRate)"
        )
    }
  ) { s, epochs in
    CosineAnnealingSchedule(tMax: max(epochs - s.warmupEpochs, 1), etaMin: s.minLearningRate)
  }

  /// `poly`: polynomial decay to zero over the run (power 0.9 in the IAL code).
  public static let poly = ScheduleDescriptor(
    name: "poly", summary: "polynomial decay to zero over the run: (1 − epoch/epochs)^power",
    options: [RegistryOption("schedule.power", "power")]
  ) { s, epochs in
    PolynomialDecaySchedule(maxEpochs: epochs, power: s.power)
  }
}
