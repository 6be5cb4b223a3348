import AuxEngine
import AuxIO
import AuxNN
import Foundation

extension MultiTaskModel: MultiTaskNetwork {
  public var module: Module { self }
  public func headParameters(_ task: Int) -> [Parameter] { heads[task].parameters() }
  public func encode(_ images: Tensor, task: Int?) -> Tensor {
    if let task { return encoder.features(images, task: task) }
    return encoder.features(images)
  }
  public func decode(_ features: Tensor, task: Int, inputSize: Size2D) -> Tensor {
    heads[task](features, inputSize: inputSize)
  }
  public var stageChannels: [Int]? { encoder.conditionalTaskCount == nil ? encoder.stageChannels : nil }
  public func encodeStages(_ images: Tensor) -> [Tensor] { encoder.stageFeatures(images, task: 0) }
}

/// Builds the networks `model.encoder` and `model.head` name, from a ``NetworkRegistry``, as
/// ``AuxNN/MultiTaskModel``s.
///
/// | encoder | features | notes |
/// | --- | --- | --- |
/// | `refcnn` | 128 ch, stride 4 | the engine's reference CNN (five conv-BN-ReLU blocks) |
/// | `resnet18`, `resnet34` | 512 ch | torchvision layout, dilated to `output_stride` |
/// | `resnet50` | 2048 ch | torchvision layout, dilated to `output_stride` (8 in the papers) |
/// | `vgg16-bn` | 512 ch | VGG-16 with BN; task-conditional BN (one per task) for multi-input data |
///
/// Dense tasks get a `light` head (conv3×3-BN-ReLU with 64 hidden channels for `refcnn`, 256
/// otherwise, then conv1×1) or a DeepLab-v3 `aspp` head (rates 12/24/36, no dropout so that resumed
/// runs stay exact), upsampled bilinearly to the input size; class tasks get a linear head over
/// globally pooled features.
public enum StandardNetworks {
  /// Builds networks from ``NetworkRegistry/standard``.
  public static let factory: NetworkFactory = NetworkRegistry.standard.factory

  /// The network for `tasks` on images of `inputShape` (`[C, H, W]`): the encoder `model.encoder`
  /// of `networks` (with `model.pretrained` loaded), a `model.head` head per dense task and a
  /// linear head per class task.
  ///
  /// - Throws: ``TrainingError`` naming the key for an unregistered name or settings the encoder
  ///   cannot take; ``AuxNN/StateDictError`` for pretrained weights that do not fit.
  public static func make(
    _ model: TrainConfig.ModelConfig, tasks: [TaskObjective], inputShape: [Int], multiInput: Bool,
    networks: NetworkRegistry = .standard, rng: inout RandomGenerator
  ) throws -> MultiTaskModel {
    guard let encoderEntry = networks.encoders.entry(named: model.encoder) else {
      throw TrainingError(networks.encoders.unknownName(model.encoder))
    }
    let request = EncoderRequest(model: model, inputShape: inputShape, taskCount: tasks.count, multiInput: multiInput)
    let encoder = try encoderEntry.make(request, &rng)
    if let path = model.pretrained { try loadPretrained(path, into: encoder) }
    let c = encoder.featureChannels
    var heads: [(String, any TaskHead)] = []
    for t in tasks {
      if !t.isDense {
        heads.append((t.name, ClassificationHead(c, classes: t.outputChannels, rng: &rng)))
      } else if let head = networks.heads.entry(named: model.head) {
        heads.append((t.name, try head.make(HeadRequest(task: t, featureChannels: c, hiddenChannels: encoderEntry.headWidth), &rng)))
      } else {
        throw TrainingError(networks.heads.unknownName(model.head))
      }
    }
    return MultiTaskModel(encoder: encoder, heads: heads)
  }

  /// Throws unless images of `inputShape` (`[C, H, W]`) survive the encoder's unpadded 2×2 max
  /// poolings: each halves the map (rounding down), so a side below the encoder's output stride
  /// would reach 0 (Fashion-MNIST's 28×28 images under VGG-16's five poolings: 28, 14, 7, 3, 1, 0).
  static func checkPoolingFits(_ encoder: any Encoder, inputShape: [Int], name: String) throws {
    let (h, w) = (inputShape[1], inputShape[2])
    let stride = encoder.outputStride
    guard h >= stride && w >= stride else {
      throw TrainingError(
        "model.encoder: \(name) halves the image with an unpadded 2×2 max pooling \(stride.trailingZeroBitCount) times here, so it needs images of at least \(stride)×\(stride); the dataset's images are \(h)×\(w) (use refcnn or a ResNet, whose padded stages take any size)")
    }
  }

  /// Loads encoder weights saved with PyTorch names (e.g. a torchvision backbone's state dict as
  /// safetensors). Extra entries (a classifier `fc.*`) are ignored; missing or mis-shaped ones are
  /// an error that lists them.
  static func loadPretrained(_ path: String, into encoder: any Encoder) throws {
    let archive = try Safetensors.read(URL(fileURLWithPath: path))
    let needed = Set(encoder.stateDict().keys)
    var error = StateDictError(source: path)
    error.missing = needed.filter { archive.tensors[$0] == nil }.sorted()
    if !error.missing.isEmpty { throw error }
    try encoder.loadStateDict(archive.tensors.filter { needed.contains($0.key) }, strict: true, source: path)
  }
}
