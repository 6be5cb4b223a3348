import AuxEngine

/// Seed 004's training-only auxiliary module (Liu et al., "Auxiliary Learning for Deep Multi-task
/// Learning", arXiv 1909.02214), in our reconstruction (`aux-module-approx`).
///
/// For each task `t` a column of blocks reads the shared encoder's stage outputs: block `k` is a
/// conv3×3–BN–ReLU over `concat(stage k, block k−1 resized to stage k's size)` (block 0 reads
/// stage 0 alone), so every task gets its own path fed by every shared stage, as soft parameter
/// sharing would give it. The column ends in a head of the task's kind (a conv head for dense
/// tasks, a pooled linear head for class tasks) supervised by the task's own loss. Training adds
/// `weight · Σ_t L_t^aux` to the method's objective (its gradient flows into the module and into
/// the shared stages, never through the method's weights); at evaluation and export the module is
/// dropped: it is not part of the model's state dict and the inference path never runs it.
///
/// ```swift
/// let aux = AuxiliaryModule(stageChannels: encoder.stageChannels, width: 32,
///                           heads: [("semantic", ConvHead(32, 7, hiddenChannels: 32, rng: &rng))], rng: &rng)
/// let predictions = aux(encoder.stageFeatures(images, task: 0), inputSize: Size2D(64, 64))
/// ```
public final class AuxiliaryModule: Module {
  /// The module's description (`aux-module-approx`), with what is reconstructed.
  public static let descriptor = ModuleDescriptor(
    name: "aux-module-approx",
    title: "Training-only auxiliary module mimicking soft parameter sharing",
    reference: "Liu, Zhuang, Shen, Chen, Yin, \"Auxiliary Learning for Deep Multi-task Learning\", arXiv 1909.02214 (v1: \"Training Compact Neural Networks via Auxiliary Overparameterization\")",
    summary: "During training, one column per task reads the outputs of the shared layers and is supervised by the task's loss; its gradient regularises the shared layers. At test time the module is discarded: the model evaluated and saved is the plain hard-sharing network.",
    reconstruction: "Only the abstracts survive. Ours: one conv3x3-BN-ReLU block per encoder stage in every task's column, block k reading stage k concatenated with block k-1 resized bilinearly; a head of the task's kind; total loss = the method's objective + weight * sum of the columns' task losses. Which layers feed it, its width, its loss weight and the paper's searched connections are not known.",
    settings: [
      .init(key: "model.aux_module", defaultValue: "false", meaning: "attach the module during training"),
      .init(key: "model.aux_module_width", defaultValue: "32", meaning: "channels of every block of every column"),
      .init(key: "model.aux_module_weight", defaultValue: "1", meaning: "weight of the module's summed task losses"),
    ])

  /// Channels of the stage outputs the module reads.
  public let stageChannels: [Int]
  /// Channels of every block.
  public let width: Int
  /// The tasks, in column order.
  public let taskNames: [String]
  /// Each task's blocks, one per stage.
  public let columns: [[Sequential]]
  /// Each task's head (reading `width` channels).
  public let heads: [any TaskHead]
  /// How many times the module has run (tests check that evaluation never runs it).
  public private(set) var forwardCount = 0

  /// A module reading stages of `stageChannels` channels, with one column of `width` channels and
  /// one head per task (each head must read `width` channels).
  public init(stageChannels: [Int], width: Int, heads: [(String, any TaskHead)], rng: inout RandomGenerator) {
    precondition(!stageChannels.isEmpty && width > 0 && !heads.isEmpty, "AuxiliaryModule: needs stages (\(stageChannels)), a width > 0 (\(width)) and heads")
    for (name, h) in heads {
      precondition(h.inChannels == width, "AuxiliaryModule: head '\(name)' reads \(h.inChannels) channels, the columns give \(width)")
    }
    self.stageChannels = stageChannels
    self.width = width
    taskNames = heads.map(\.0)
    self.heads = heads.map(\.1)
    columns = heads.map { _ in
      stageChannels.enumerated().map { k, c in
        Sequential(
          Conv2d(c + (k == 0 ? 0 : width), width, kernelSize: 3, padding: 1, bias: false, rng: &rng), BatchNorm2d(width), ReLU())
      }
    }
    super.init()
    for (t, name) in taskNames.enumerated() {
      let column = Module()
      for (k, block) in columns[t].enumerated() { column.registerModule(String(k), block) }
      registerModule("columns_\(name)", column)
      registerModule("heads_\(name)", self.heads[t])
    }
  }

  /// Every task's prediction from the stage outputs (`[N, stageChannels[k], h_k, w_k]`), for an
  /// input of spatial size `inputSize`.
  public func callAsFunction(_ stages: [Tensor], inputSize: Size2D) -> [Tensor] {
    precondition(
      stages.count == stageChannels.count && zip(stages, stageChannels).allSatisfy { $0.rank == 4 && $0.shape[1] == $1 },
      "AuxiliaryModule: expected \(stageChannels.count) stage maps with channels \(stageChannels), got shapes \(stages.map(\.shape))")
    forwardCount += 1
    return columns.indices.map { t in
      var x: Tensor? = nil
      for (k, stage) in stages.enumerated() {
        var input = stage
        if let previous = x {
          let size = Size2D(stage.shape[2], stage.shape[3])
          let resized = previous.shape[2] == size.height && previous.shape[3] == size.width ? previous : previous.upsampleBilinear2d(size: size)
          input = Tensor.concat([stage, resized], axis: 1)
        }
        x = columns[t][k](input)
      }
      return heads[t](x!, inputSize: inputSize)
    }
  }
}
