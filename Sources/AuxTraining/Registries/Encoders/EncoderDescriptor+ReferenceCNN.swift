import AuxData
import AuxNN

extension EncoderDescriptor {
  /// `refcnn`: the engine's reference CNN (five conv-BN-ReLU blocks, 128 channels, stride 4).
  public static let refcnn = EncoderDescriptor(
    name: "refcnn", summary: "reference CNN: five conv-BN-ReLU blocks, 128 channels at stride 4", headWidth: 64
  ) { request, rng in
    ReferenceCNN(inChannels: request.inputShape[0], rng: &rng)
  }
}
