import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// A NaN or infinite loss or gradient stops the step, named, before the optimiser changes
/// anything.
@Suite("Non-finite steps")
struct NonFiniteStepTests {
  /// The fixture's regression batch with `poison` applied to task `t`'s loss.
  static func batch(_ problem: LossFixtureProblem, task t: Int, poison: @escaping (Tensor, Linear) -> Tensor) -> StepBatch {
    StepBatch(
      encode: { problem.encoder(problem.x).tanh() },
      losses: { shared in
        (0..<3).map { k -> Tensor in
          let loss = (problem.heads[k](shared[k]) - problem.y[k]).pow(2).mean()
          return k == t ? poison(loss, problem.heads[k]) : loss
        }
      })
  }

  @Test("an infinite loss throws naming the task, step and epoch, and nothing is updated")
  func infiniteLoss() throws {
    let problem = try LossFixtureProblem()
    let before = problem.named.map { $0.1.value.scalars }
    let optimizer = problem.sgd(lr: 0.1)
    let driver = try problem.driver(try MethodRegistry.make("ew", tasks: LossFixtureProblem.tasks), optimizer: optimizer)
    let error = try #require(throws: NonFiniteValueError.self) {
      try driver.step(Self.batch(problem, task: 1) { loss, _ in loss * Float.infinity }, epoch: 1, iteration: 4)
    }
    #expect(error.quantity == .loss(task: "b"))
    #expect(error.description == "non-finite loss: task 'b' has loss inf at step 5 (epoch 2)")
    #expect(problem.named.map { $0.1.value.scalars } == before)
    // A finite step still trains.
    try driver.step(problem.batch(), epoch: 1, iteration: 5)
    #expect(problem.named.map { $0.1.value.scalars } != before)
  }

  @Test("a NaN gradient under finite losses throws naming the parameter and its task, and nothing is updated", arguments: ["ew", "pcgrad"])
  func nanGradient(method: String) throws {
    let problem = try LossFixtureProblem()
    let before = problem.named.map { $0.1.value.scalars }
    let driver = try problem.driver(try MethodRegistry.make(method, tasks: LossFixtureProblem.tasks), optimizer: problem.sgd(lr: 0.1, momentum: 0.9))
    // sqrt(0) = 0 is a finite loss term, but its derivative 0.5 / 0 times 0 is NaN.
    let error = try #require(throws: NonFiniteValueError.self) {
      try driver.step(Self.batch(problem, task: 2) { loss, head in loss + (head.bias!.value - head.bias!.value.detached()).pow(2).sum().sqrt() }, iteration: 0)
    }
    #expect(error.quantity == .gradient(parameter: "head2.bias", task: "c"))
    #expect(error.value.isNaN)
    #expect(error.description.contains("head of task 'c'") && error.description.contains("step 1 (epoch 1)"))
    #expect(problem.named.map { $0.1.value.scalars } == before)
  }

  @Test("with the check off, the same step goes through (and poisons the weights)")
  func checkCanBeTurnedOff() throws {
    let problem = try LossFixtureProblem()
    let driver = try problem.driver(try MethodRegistry.make("ew", tasks: LossFixtureProblem.tasks), optimizer: problem.sgd(lr: 0.1))
    driver.stopsOnNonFinite = false
    try driver.step(Self.batch(problem, task: 2) { loss, head in loss + (head.bias!.value - head.bias!.value.detached()).pow(2).sum().sqrt() })
    #expect(problem.heads[2].bias!.value.scalars.contains { $0.isNaN })
  }
}
