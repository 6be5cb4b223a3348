import AuxData
import AuxNN

extension EncoderDescriptor {
  /// `vgg16-bn`: VGG-16 with batch normalisation (512 channels); with multi-input data, one batch
  /// normalisation per task (``AuxNN/TaskConditionalVGG16``).
  public static let vgg16BN = EncoderDescriptor(
    name: "vgg16-bn", summary: "VGG-16 with BN (512 channels); task-conditional BN for multi-input data; images of at least 32×32"
  ) { request, rng in
    let channels = request.inputShape[0]
    let encoder: any Encoder =
      request.multiInput
      ? TaskConditionalVGG16(tasks: request.taskCount, inChannels: channels, rng: &rng) : VGG16BN(inChannels: channels, rng: &rng)
    try StandardNetworks.checkPoolingFits(encoder, inputShape: request.inputShape, name: "vgg16-bn")
    return encoder
  }
}
