import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import Foundation
import Testing

/// The full-size check a user runs: a torchvision ResNet-50 state dict (random or pretrained)
/// written by `scripts/interop/resnet50.py --out DIR` loads into ``ResNet`` and gives torchvision's
/// outputs, plain and dilated to output stride 8. Enabled by `AUXMTL_RESNET50_DIR=DIR` (the files
/// are ~100 MB and not committed).
@Suite("ResNet-50 interop (full size, AUXMTL_RESNET50_DIR)", .enabled(if: ProcessInfo.processInfo.environment["AUXMTL_RESNET50_DIR"] != nil))
struct ResNet50InteropTests {
  static var directory: URL { URL(fileURLWithPath: ProcessInfo.processInfo.environment["AUXMTL_RESNET50_DIR"] ?? ".") }

  @Test("torchvision's ResNet-50 loads by name and gives its logits, features and dilated features")
  func resnet50() throws {
    let io = try Safetensors.read(Self.directory.appendingPathComponent("resnet50_io.safetensors"))
    let state = Self.directory.appendingPathComponent("resnet50.safetensors")
    var rng = RandomGenerator(seed: 0)
    let net = ResNet(.resnet50, classes: 1000, rng: &rng)
    try net.loadState(from: state)
    net.eval()
    let x = try io.tensor("x")
    Autograd.withoutGradients {
      ResNetInteropTests.expectClose(net.logits(x), try! io.tensor("logits"), "logits")
      ResNetInteropTests.expectClose(net.features(x), try! io.tensor("features"), "features")
    }
    let encoder = ResNet(.resnet50, outputStride: 8, rng: &rng)
    try encoder.loadState(from: state, skipping: ["fc."])
    encoder.eval()
    Autograd.withoutGradients {
      ResNetInteropTests.expectClose(encoder.features(try! io.tensor("x8")), try! io.tensor("os8.features"), "OS8 features")
    }
  }
}
