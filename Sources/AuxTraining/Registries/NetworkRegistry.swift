import AuxData
import AuxEngine
import AuxNN

/// The encoders (`model.encoder`) and dense heads (`model.head`) a run can build.
///
/// ```swift
/// var networks = NetworkRegistry.standard
/// try networks.encoders.register(.myEncoder)
/// let trainer = try RunBuilder.makeTrainer(config, registries: RunRegistries(networks: networks))
/// ```
public struct NetworkRegistry: Sendable {
  public var encoders: Registry<EncoderDescriptor>
  public var heads: Registry<HeadDescriptor>

  public init(encoders: Registry<EncoderDescriptor>, heads: Registry<HeadDescriptor>) {
    self.encoders = encoders
    self.heads = heads
  }

  /// The encoders and heads auxmtl ships.
  public static var standard: NetworkRegistry {
    NetworkRegistry(
      encoders: Registry(key: "model.encoder", [.refcnn, .resnet18, .resnet34, .resnet50, .vgg16BN]),
      heads: Registry(key: "model.head", [.light, .aspp]))
  }

  /// A ``NetworkFactory`` building ``AuxNN/MultiTaskModel``s from these entries
  /// (``StandardNetworks/make(_:tasks:inputShape:multiInput:networks:rng:)``).
  public var factory: NetworkFactory {
    let registry = self
    return { model, tasks, shape, multiInput, rng in
      try StandardNetworks.make(model, tasks: tasks, inputShape: shape, multiInput: multiInput, networks: registry, rng: &rng)
    }
  }
}
