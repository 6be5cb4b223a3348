import AuxEngine

/// The shared encoder's output `z`, with one detached alias per task for the task heads.
///
/// Each head runs on its own alias (a new graph leaf sharing `z`'s storage), so one backward pass
/// through all decoders yields every task's gradient with respect to the features, `∂L_t/∂z`, in
/// the aliases' gradient slots; a single `z.backward(ĥ)` then takes a combined feature gradient
/// through the encoder. This is how IAL and every representation-level method stay at one encoder
/// backward per step.
///
/// ```swift
/// let shared = SharedFeatures(encoder(images), taskCount: heads.count)
/// let losses = heads.indices.map { t in loss[t](heads[t](shared[t]), targets[t]) }
/// ```
public struct SharedFeatures {
  /// The encoder output, part of the encoder's graph.
  public let features: Tensor
  /// One leaf alias of `features` per task.
  public let aliases: [Tensor]

  /// Wraps the encoder output `features` (which must require a gradient, i.e. come from trainable
  /// encoder parameters) and makes `taskCount` aliases.
  public init(_ features: Tensor, taskCount: Int) {
    precondition(taskCount > 0, "SharedFeatures: taskCount must be positive, got \(taskCount)")
    self.features = features
    self.aliases = (0..<taskCount).map { _ in features.detached().requiringGrad() }
  }

  /// The alias for task `t`; pass it to task `t`'s head.
  public subscript(_ t: Int) -> Tensor { aliases[t] }

  /// Number of tasks.
  public var taskCount: Int { aliases.count }
}
