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

/// The networks `model.encoder` and `model.head` name, built as ``AuxNN/MultiTaskModel``s.
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
  public static let factory: NetworkFactory = { model, tasks, shape, multiInput, rng in
    try make(model, tasks: tasks, inputShape: shape, multiInput: multiInput, rng: &rng)
  }

  public static func make(
    _ model: TrainConfig.ModelConfig, tasks: [TaskObjective], inputShape: [Int], multiInput: Bool, rng: inout RandomGenerator
  ) throws -> MultiTaskModel {
    let channels = inputShape[0]
    let encoder: any Encoder
    switch model.encoder {
    case "refcnn":
      encoder = ReferenceCNN(inChannels: channels, rng: &rng)
    case "resnet18", "resnet34", "resnet50":
      guard let arch = ResNet.Architecture.named(model.encoder) else { throw TrainingError("model.encoder: unknown ResNet '\(model.encoder)'") }
      guard [8, 16, 32].contains(model.outputStride) else {
        throw TrainingError("model.output_stride must be 8, 16 or 32, got \(model.outputStride)")
      }
      encoder = ResNet(arch, outputStride: model.outputStride, inChannels: channels, rng: &rng)
    case "vgg16-bn":
      encoder = multiInput ? TaskConditionalVGG16(tasks: tasks.count, inChannels: channels, rng: &rng) : VGG16BN(inChannels: channels, rng: &rng)
      try checkPoolingFits(encoder, inputShape: inputShape, name: model.encoder)
    default:
      throw TrainingError("model.encoder: '\(model.encoder)' is not one of refcnn, resnet18, resnet34, resnet50, vgg16-bn")
    }
    if let path = model.pretrained { try loadPretrained(path, into: encoder) }
    let c = encoder.featureChannels
    let hidden = model.encoder == "refcnn" ? 64 : 256
    var heads: [(String, any TaskHead)] = []
    for t in tasks {
      if !t.isDense {
        heads.append((t.name, ClassificationHead(c, classes: t.outputChannels, rng: &rng)))
      } else if model.head == "aspp" {
        heads.append((t.name, DeepLabHead(c, t.outputChannels, dropout: 0, rng: &rng)))
      } else if model.head == "light" {
        heads.append((t.name, ConvHead(c, t.outputChannels, hiddenChannels: hidden, rng: &rng)))
      } else {
        throw TrainingError("model.head: '\(model.head)' is not one of light, aspp")
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
