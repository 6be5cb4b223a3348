import AuxEngine

/// A hard-parameter-sharing multi-task network: one ``Encoder`` and an ordered set of named task
/// heads.
///
/// Modules are registered as `encoder.…` and `heads.<task>.…`, so the encoder's entries keep their
/// own (e.g. torchvision) names under the `encoder.` prefix, and parameter groups are selected with
/// ``Module/parameters(withPrefix:)`` (`"encoder."`, `"heads."`, `"heads.<task>."`).
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let encoder = ResNet(.resnet50, outputStride: 8, rng: &rng)
/// let model = MultiTaskModel(encoder: encoder, heads: [
///   ("segmentation", DeepLabHead(2048, 13, rng: &rng)),
///   ("depth", DeepLabHead(2048, 1, rng: &rng)),
/// ])
/// let out = model(images)          // out.features, out["depth"]
/// ```
///
/// To let a weighting method take each task's gradient with respect to the features, run the heads
/// on per-task aliases of the features: ``forward(_:headInputs:)`` takes the function that makes
/// them (AuxMTL's `forwardShared(_:)` passes `SharedFeatures`' aliases).
public final class MultiTaskModel: Module {
  /// The shared encoder.
  public let encoder: any Encoder
  /// The task names, in head order.
  public let taskNames: [String]
  /// The heads, in task order.
  public let heads: [any TaskHead]

  /// The output of one forward pass over one input batch.
  public struct Output {
    /// The encoder's feature map (part of the encoder's graph).
    public let features: Tensor
    /// Each task's prediction, in task order.
    public let outputs: [Tensor]
    /// The task names, in order.
    public let taskNames: [String]

    /// The prediction of the task named `task`.
    public subscript(_ task: String) -> Tensor {
      guard let i = taskNames.firstIndex(of: task) else {
        preconditionFailure("MultiTaskModel.Output: no task named '\(task)' (tasks: \(taskNames.joined(separator: ", ")))")
      }
      return outputs[i]
    }
  }

  /// A model over `encoder` with `heads` in the given task order.
  ///
  /// Task names must be unique, non-empty and free of dots (they become module names), and every
  /// head must read the encoder's channel count.
  public init(encoder: any Encoder, heads: [(String, any TaskHead)]) {
    precondition(!heads.isEmpty, "MultiTaskModel: needs at least one head")
    let names = heads.map(\.0)
    precondition(Set(names).count == names.count, "MultiTaskModel: task names must be unique, got \(names)")
    for (name, head) in heads {
      precondition(
        head.inChannels == encoder.featureChannels,
        "MultiTaskModel: head '\(name)' reads \(head.inChannels) channels but the encoder gives \(encoder.featureChannels)")
    }
    if let t = encoder.conditionalTaskCount {
      precondition(t == heads.count, "MultiTaskModel: the task-conditional encoder has \(t) tasks but there are \(heads.count) heads")
    }
    self.encoder = encoder
    self.taskNames = names
    self.heads = heads.map(\.1)
    super.init()
    registerModule("encoder", encoder)
    let container = Module()
    for (name, head) in heads { container.registerModule(name, head) }
    registerModule("heads", container)
  }

  /// The index of the task named `name`.
  public func taskIndex(_ name: String) -> Int {
    guard let i = taskNames.firstIndex(of: name) else {
      preconditionFailure("MultiTaskModel: no task named '\(name)' (tasks: \(taskNames.joined(separator: ", ")))")
    }
    return i
  }

  /// Runs the encoder once and every head on its output.
  public func callAsFunction(_ input: Tensor) -> Output {
    forward(input) { z in [Tensor](repeating: z, count: self.heads.count) }
  }

  /// Runs the encoder once, then head `t` on `headInputs(features)[t]`.
  ///
  /// `headInputs` receives the feature map and returns one tensor per task of the same shape,
  /// normally detached aliases that collect each task's feature gradient.
  public func forward(_ input: Tensor, headInputs: (Tensor) -> [Tensor]) -> Output {
    precondition(input.rank == 4, "MultiTaskModel: input of shape \(input.shape) must be [N, C, H, W]")
    let z = encoder.features(input)
    let inputs = headInputs(z)
    precondition(inputs.count == heads.count, "MultiTaskModel.forward: \(inputs.count) head inputs for \(heads.count) heads")
    let size = Size2D(input.shape[2], input.shape[3])
    let outputs = heads.indices.map { t -> Tensor in
      precondition(inputs[t].shape == z.shape, "MultiTaskModel.forward: head input \(t) has shape \(inputs[t].shape), features \(z.shape)")
      return heads[t](inputs[t], inputSize: size)
    }
    return Output(features: z, outputs: outputs, taskNames: taskNames)
  }

  /// Multi-input forward pass: task `t`'s batch `inputs[t]` goes through the encoder (with task
  /// `t`'s normalisation when the encoder is task-conditional) and head `t`.
  ///
  /// Returns each task's feature map and prediction; the encoder runs once per task.
  public func forward(taskInputs inputs: [Tensor]) -> (features: [Tensor], outputs: [Tensor]) {
    precondition(inputs.count == heads.count, "MultiTaskModel.forward(taskInputs:): \(inputs.count) batches for \(heads.count) tasks")
    var features: [Tensor] = []
    var outputs: [Tensor] = []
    for (t, x) in inputs.enumerated() {
      precondition(x.rank == 4, "MultiTaskModel: task \(taskNames[t]) input of shape \(x.shape) must be [N, C, H, W]")
      let z = encoder.features(x, task: t)
      features.append(z)
      outputs.append(heads[t](z, inputSize: Size2D(x.shape[2], x.shape[3])))
    }
    return (features, outputs)
  }

  /// The encoder's parameters (the shared parameters of a weighting method's step).
  public var encoderParameters: [Parameter] { encoder.parameters() }

  /// Each head's parameters, in task order (disjoint sets).
  public var headParameters: [[Parameter]] { heads.map { $0.parameters() } }

  /// The head of the task named `name`.
  public func head(_ name: String) -> any TaskHead { heads[taskIndex(name)] }
}
