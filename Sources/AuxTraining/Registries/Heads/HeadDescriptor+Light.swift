import AuxData
import AuxNN

extension HeadDescriptor {
  /// `light`: conv3×3-BN-ReLU (the encoder's ``EncoderDescriptor/headWidth`` channels), then
  /// conv1×1, upsampled bilinearly to the input size.
  public static let light = HeadDescriptor(
    name: "light", summary: "conv3×3-BN-ReLU (64 hidden channels over refcnn, 256 otherwise) + conv1×1"
  ) { request, rng in
    ConvHead(request.featureChannels, request.task.outputChannels, hiddenChannels: request.hiddenChannels, rng: &rng)
  }
}
