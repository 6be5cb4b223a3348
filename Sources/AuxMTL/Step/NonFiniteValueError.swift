/// A training step met a NaN or an infinity in a task's loss or in a parameter's gradient, and
/// stopped before the optimiser changed anything.
///
/// ``StepDriver`` checks the losses after the forward pass (before any backward pass) and every
/// optimised parameter's gradient after the method's backward (before clipping and the optimiser
/// step), so a thrown error leaves the weights and the optimiser's state as they were before the
/// step. The description reads, for example,
/// `non-finite loss: task 'depth' has loss inf at step 12 (epoch 2)`; steps and epochs are
/// counted from 1 in it.
public struct NonFiniteValueError: Error, CustomStringConvertible, Equatable {
  /// What was not finite.
  public enum Quantity: Sendable, Equatable {
    /// The loss of a task.
    case loss(task: String)
    /// The gradient of a parameter (the task named when the parameter belongs to one task's head).
    case gradient(parameter: String, task: String?)
  }

  public let quantity: Quantity
  /// The first non-finite value found (NaN, +inf or −inf).
  public let value: Float
  /// The 0-based global step (``StepDriver/step(_:epoch:iteration:)``'s `iteration`).
  public let iteration: Int
  /// The 0-based epoch.
  public let epoch: Int

  public init(_ quantity: Quantity, value: Float, iteration: Int, epoch: Int) {
    self.quantity = quantity
    self.value = value
    self.iteration = iteration
    self.epoch = epoch
  }

  /// The task the value belongs to, when known.
  public var task: String? {
    switch quantity {
    case .loss(let task): task
    case .gradient(_, let task): task
    }
  }

  public var description: String {
    let at = "at step \(iteration + 1) (epoch \(epoch + 1))"
    switch quantity {
    case .loss(let task):
      return "non-finite loss: task '\(task)' has loss \(value) \(at)"
    case .gradient(let parameter, let task):
      let owner = task.map { " (head of task '\($0)')" } ?? ""
      return "non-finite gradient: parameter '\(parameter)'\(owner) has a gradient entry \(value) \(at), after finite losses"
    }
  }
}
