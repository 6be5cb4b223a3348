import AuxData
import AuxEngine
import AuxNN

/// What an encoder's factory receives: the model section of the config and the data's shape.
public struct EncoderRequest: Sendable {
  /// The `model` section (`output_stride`, `pretrained`, …).
  public let model: TrainConfig.ModelConfig
  /// One image's shape `[C, H, W]`.
  public let inputShape: [Int]
  /// How many tasks the network serves.
  public let taskCount: Int
  /// Whether each task has its own input batch (multi-input data such as `multi-cifar100`).
  public let multiInput: Bool
}

/// A shared encoder `model.encoder` names.
///
/// Adding an encoder is one file (an `extension EncoderDescriptor` with a `static let`, and the
/// ``AuxNN/Encoder`` itself if it is new) and one line in ``NetworkRegistry/standard``; the DocC
/// article "Adding a network" walks through it.
public struct EncoderDescriptor: RegistryEntry {
  public let name: String
  public let summary: String
  public let options: [RegistryOption]
  /// Hidden channels of a `light` dense head over this encoder's features.
  public let headWidth: Int
  /// Builds the encoder. Throws ``TrainingError`` naming the key for settings it cannot take.
  public let make: @Sendable (EncoderRequest, inout RandomGenerator) throws -> any Encoder

  public init(
    name: String, summary: String, options: [RegistryOption] = [], headWidth: Int = 256,
    make: @escaping @Sendable (EncoderRequest, inout RandomGenerator) throws -> any Encoder
  ) {
    self.name = name
    self.summary = summary
    self.options = options
    self.headWidth = headWidth
    self.make = make
  }
}
