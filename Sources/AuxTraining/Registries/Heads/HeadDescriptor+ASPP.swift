import AuxData
import AuxNN

extension HeadDescriptor {
  /// `aspp`: DeepLab-v3's head (atrous rates 12/24/36), without dropout so that resumed runs stay
  /// exact.
  public static let aspp = HeadDescriptor(
    name: "aspp", summary: "DeepLab-v3 ASPP head (rates 12/24/36, no dropout)"
  ) { request, rng in
    DeepLabHead(request.featureChannels, request.task.outputChannels, dropout: 0, rng: &rng)
  }
}
