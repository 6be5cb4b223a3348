import AuxData
import AuxEngine
import AuxNN

/// What a dense head's factory receives.
public struct HeadRequest: Sendable {
  /// The task the head predicts.
  public let task: TaskObjective
  /// Channels of the encoder's features.
  public let featureChannels: Int
  /// The encoder's suggested hidden width (``EncoderDescriptor/headWidth``).
  public let hiddenChannels: Int
}

/// A dense task head `model.head` names (class tasks always get a linear head over globally
/// pooled features). The head upsamples its prediction to the input size itself.
public struct HeadDescriptor: RegistryEntry {
  public let name: String
  public let summary: String
  public let options: [RegistryOption]
  /// Builds the head of one dense task.
  public let make: @Sendable (HeadRequest, inout RandomGenerator) throws -> any TaskHead

  public init(
    name: String, summary: String, options: [RegistryOption] = [],
    make: @escaping @Sendable (HeadRequest, inout RandomGenerator) throws -> any TaskHead
  ) {
    self.name = name
    self.summary = summary
    self.options = options
    self.make = make
  }
}
