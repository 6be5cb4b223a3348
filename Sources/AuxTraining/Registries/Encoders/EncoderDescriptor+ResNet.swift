import AuxData
import AuxNN

extension EncoderDescriptor {
  /// `resnet18`: torchvision's ResNet-18 (512 channels), dilated to `model.output_stride`.
  public static let resnet18 = resnet("resnet18", summary: "ResNet-18 (torchvision layout, 512 channels), dilated to model.output_stride")
  /// `resnet34`: torchvision's ResNet-34 (512 channels), dilated to `model.output_stride`.
  public static let resnet34 = resnet("resnet34", summary: "ResNet-34 (torchvision layout, 512 channels), dilated to model.output_stride")
  /// `resnet50`: torchvision's ResNet-50 (2048 channels), dilated to `model.output_stride` (8 in
  /// the papers).
  public static let resnet50 = resnet("resnet50", summary: "ResNet-50 (torchvision layout, 2048 channels), dilated to model.output_stride")

  /// The ResNet named `name` in ``AuxNN/ResNet/Architecture/named(_:)``.
  static func resnet(_ name: String, summary: String) -> EncoderDescriptor {
    EncoderDescriptor(
      name: name, summary: summary,
      options: [
        RegistryOption("model.output_stride", "8, 16 or 32: the last stages are dilated instead of strided"),
        RegistryOption("model.pretrained", "torchvision weights as safetensors"),
      ]
    ) { request, rng in
      guard let arch = ResNet.Architecture.named(name) else { throw TrainingError("model.encoder: unknown ResNet '\(name)'") }
      guard [8, 16, 32].contains(request.model.outputStride) else {
        throw TrainingError("model.output_stride must be 8, 16 or 32, got \(request.model.outputStride)")
      }
      return ResNet(arch, outputStride: request.model.outputStride, inChannels: request.inputShape[0], rng: &rng)
    }
  }
}
