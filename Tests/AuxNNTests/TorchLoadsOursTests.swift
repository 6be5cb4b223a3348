import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import Foundation
import Testing

/// auxmtl → PyTorch: state dicts and a training checkpoint we write load into torchvision's models
/// with `safetensors.torch.load_file` + `load_state_dict(strict=True)` and give our outputs.
///
/// The test writes the files and runs `scripts/interop/check_ours_in_torch.py` (a few seconds, most
/// of it importing torch). Where `python3` with torch, torchvision and safetensors is not available
/// the script exits with status 77 and the test only prints that it skipped the check.
@Suite("auxmtl → torchvision")
struct TorchLoadsOursTests {
  /// Two training-mode passes on random images, so that the running statistics and
  /// `num_batches_tracked` are not at their initial values.
  static func warmBatchNorm(_ net: ResNet, _ rng: inout RandomGenerator) {
    net.train()
    Autograd.withoutGradients {
      for _ in 0..<2 { _ = net.features(Initializers.normal([2, 3, 32, 32], std: 2, using: &rng)) }
    }
    net.eval()
  }

  @Test("torchvision loads our ResNet-18, dilated ResNet-50 and checkpoint strictly and reproduces our outputs")
  func torchLoadsOurFiles() throws {
    let dir = try Fixtures.temporaryDirectory("torch-interop")
    defer { try? FileManager.default.removeItem(at: dir) }
    var rng = RandomGenerator(seed: 42)
    let x = Initializers.normal([1, 3, 64, 64], using: &rng)
    var io = SafetensorsArchive(tensors: ["x": x])

    let r18 = ResNet(.resnet18, classes: 1000, rng: &rng)
    Self.warmBatchNorm(r18, &rng)
    try r18.saveState(to: dir.appendingPathComponent("resnet18.safetensors"))
    Autograd.withoutGradients {
      io.tensors["resnet18.logits"] = r18.logits(x)
      io.tensors["resnet18.features"] = r18.features(x)
    }

    let r50 = ResNet(.resnet50, outputStride: 8, classes: 10, baseChannels: 16, rng: &rng)
    Self.warmBatchNorm(r50, &rng)
    try r50.saveState(to: dir.appendingPathComponent("resnet50_narrow_os8.safetensors"))
    Autograd.withoutGradients {
      io.tensors["resnet50.logits"] = r50.logits(x)
      io.tensors["resnet50.features"] = r50.features(x)
    }

    let small = ResNet(.resnet18, classes: 10, baseChannels: 8, rng: &rng)
    let adam = Adam([ParameterGroup(module: small, learningRate: 1e-3)])
    small.train()
    small.logits(Initializers.normal([2, 3, 32, 32], using: &rng)).crossEntropy(target: Tensor([1, 2])).backward()
    adam.step()
    small.eval()
    try TrainingCheckpoint(model: small, optimizer: adam, generators: ["data": rng], step: 1, epoch: 0)
      .write(to: dir.appendingPathComponent("checkpoint.safetensors"))
    io.tensors["checkpoint.logits"] = Autograd.withoutGradients { small.logits(x) }
    try Safetensors.write(io, to: dir.appendingPathComponent("io.safetensors"))

    let script = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("scripts/interop/check_ours_in_torch.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path, dir.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do {
      try process.run()
    } catch {
      print("auxmtl → torchvision: skipped, cannot run python3 (\(error))")
      return
    }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    switch process.terminationStatus {
    case 0: break
    case 77, 127: print("auxmtl → torchvision: skipped: \(output)")
    default: Issue.record("check_ours_in_torch.py failed (status \(process.terminationStatus)):\n\(output)")
    }
  }
}
