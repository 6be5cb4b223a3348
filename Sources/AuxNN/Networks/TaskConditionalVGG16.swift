import AuxEngine

/// The task-conditional VGG-16 of multi-domain CIFAR-100(Auto-Lambda's `MTLVGG16`
/// convolutional part): VGG-16 convolutions shared by all tasks, with a separate batch-norm layer
/// per task in every block.
///
/// Layout: conv3×3 (padding 1, with bias)–task-BN–ReLU stages of 64, 64, M, 128, 128, M, 256 ×3, M,
/// 512 ×3, M, 512 ×3 (no pooling after the last stage), M being 2×2 max pooling: output stride 16,
/// 512 channels (2×2 maps for 32×32 images). Modules are registered under Auto-Lambda's names:
/// `network_block.<i>` for the convolutions and `network_block.<i+1>.bn_list.<task>` for the
/// normalisation layers. The per-task `Linear(512, 5)` classifiers over globally pooled features
/// are task heads (``ClassificationHead``), not part of the encoder.
///
/// The network is run once per task batch, with that task's index: ``features(_:task:)``.
/// Initialisation is PyTorch's default for each layer, as in Auto-Lambda.
public final class TaskConditionalVGG16: Module, Encoder {
  enum Entry {
    case conv(Conv2d, TaskConditionalBatchNorm2d, ReLU)
    case pool(MaxPool2d)
  }

  /// The stage plan: channel counts, nil for a 2×2 max pooling.
  public static let configuration: [Int?] = [64, 64, nil, 128, 128, nil, 256, 256, 256, nil, 512, 512, 512, nil, 512, 512, 512]

  let entries: [Entry]
  /// The number of tasks (batch-norm sets).
  public let tasks: Int
  /// Input channels (3 for RGB).
  public let inChannels: Int
  /// Channels of the feature map (512 for the VGG-16 plan).
  public let featureChannels: Int
  /// 2 to the number of poolings (16 for the VGG-16 plan).
  public let outputStride: Int
  /// The number of tasks.
  public var conditionalTaskCount: Int? { tasks }

  /// The encoder for `tasks` tasks, with the VGG-16 plan or another one (`configuration`: channel
  /// counts, nil for 2×2 max pooling; a narrower plan keeps the module numbering, for tests).
  public init(tasks: Int, configuration: [Int?] = TaskConditionalVGG16.configuration, inChannels: Int = 3, rng: inout RandomGenerator) {
    precondition(tasks > 0, "TaskConditionalVGG16: the number of tasks must be positive, got \(tasks)")
    precondition(configuration.contains { $0 != nil }, "TaskConditionalVGG16: the plan \(configuration) has no convolution")
    self.tasks = tasks
    self.inChannels = inChannels
    featureChannels = configuration.compactMap { $0 }.last!
    outputStride = 1 << configuration.filter { $0 == nil }.count
    var entries: [Entry] = []
    var c = inChannels
    for entry in configuration {
      if let o = entry {
        entries.append(.conv(Conv2d(c, o, kernelSize: 3, padding: 1, rng: &rng), TaskConditionalBatchNorm2d(o, tasks: tasks), ReLU()))
        c = o
      } else {
        entries.append(.pool(MaxPool2d(kernelSize: 2, stride: 2)))
      }
    }
    self.entries = entries
    super.init()
    let block = Module()
    var i = 0
    for e in entries {
      switch e {
      case .conv(let conv, let bn, let relu):
        block.registerModule(String(i), conv)
        block.registerModule(String(i + 1), bn)
        block.registerModule(String(i + 2), relu)
        i += 3
      case .pool(let p):
        block.registerModule(String(i), p)
        i += 1
      }
    }
    registerModule("network_block", block)
  }

  /// The feature map `[N, 512, H/16, W/16]` (for the VGG-16 plan) of task `task`'s batch.
  public func features(_ input: Tensor, task: Int) -> Tensor {
    precondition(
      input.rank == 4 && input.shape[1] == inChannels,
      "TaskConditionalVGG16: input of shape \(input.shape) must be [N, \(inChannels), H, W]")
    precondition((0..<tasks).contains(task), "TaskConditionalVGG16: task index \(task) outside 0..<\(tasks)")
    var x = input
    for e in entries {
      switch e {
      case .conv(let conv, let bn, let relu): x = relu(bn(conv(x), task: task))
      case .pool(let p): x = p(x)
      }
    }
    return x
  }
}
