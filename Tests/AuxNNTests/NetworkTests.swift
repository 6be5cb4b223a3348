import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import Foundation
import Testing

/// Layouts, costs and numerics of the networks against PyTorch/torchvision
/// (`scripts/interop/networks.py`; references computed in float64).
@Suite("Networks")
struct NetworkTests {
  static func fixture() throws -> SafetensorsArchive { try Fixtures.load("interop/networks") }

  static func expectClose(_ a: Tensor, _ e: Tensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let scale = e.scalars.reduce(0) { Swift.max($0, Swift.abs($1)) }
    let m = Closeness.mismatch(a, e, rtol: 1e-4, atol: 1e-5 * scale)
    #expect(m == nil, "\(what): \(m ?? "")", sourceLocation: sourceLocation)
  }

  /// `prefix`-stripped entries of the fixture as a state dict.
  static func state(_ f: SafetensorsArchive, _ prefix: String) -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (k, t) in f.tensors where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = t }
    return out
  }

  /// `name:shape` pairs of a module's state dict, in torchvision's `a:1x2x3` notation.
  static func layout(_ m: Module) -> Set<String> {
    Set(m.stateDict().map { k, t in "\(k):\(t.shape.map(String.init).joined(separator: "x"))" })
  }

  static func torchLayout(_ f: SafetensorsArchive, _ key: String) throws -> Set<String> {
    let s = try #require(f.metadata["layout.\(key)"])
    return Set(s.split(separator: ";").map(String.init))
  }

  // MARK: Layouts

  @Test("full-size ResNet-18/34/50 have exactly torchvision's state-dict names and shapes")
  func resnetLayouts() throws {
    let f = try Self.fixture()
    var rng = RandomGenerator(seed: 0)
    for (name, arch) in [("resnet18", ResNet.Architecture.resnet18), ("resnet34", .resnet34), ("resnet50", .resnet50)] {
      let net = ResNet(arch, classes: 1000, rng: &rng)
      #expect(Self.layout(net) == (try Self.torchLayout(f, name)), "\(name)")
      #expect(net.featureChannels == (name == "resnet50" ? 2048 : 512))
    }
    // Dilation changes no names or shapes.
    #expect(Self.layout(ResNet(.resnet50, outputStride: 8, classes: 1000, rng: &rng)) == (try Self.torchLayout(f, "resnet50")))
  }

  @Test("VGG16BN matches torchvision's vgg16_bn().features and DeepLabHead(2048, 21) torchvision's head")
  func vggAndDeepLabLayouts() throws {
    let f = try Self.fixture()
    var rng = RandomGenerator(seed: 0)
    #expect(Self.layout(VGG16BN(rng: &rng)) == (try Self.torchLayout(f, "vgg16_bn")))
    #expect(Self.layout(DeepLabHead(2048, 21, rng: &rng)) == (try Self.torchLayout(f, "deeplab_head")))
  }

  @Test("task-conditional VGG-16: Auto-Lambda's names, one batch norm per task in every block")
  func conditionalVGGLayout() {
    var rng = RandomGenerator(seed: 0)
    let net = TaskConditionalVGG16(tasks: 20, rng: &rng)
    let names = Set(net.stateDict().keys)
    #expect(names.contains("network_block.0.weight") && names.contains("network_block.0.bias"))
    #expect(names.contains("network_block.1.bn_list.19.running_var"))
    #expect(names.contains("network_block.40.weight") && !names.contains("network_block.43.weight"))
    #expect(net.namedModules().filter { $0.1 is BatchNorm2d }.count == 13 * 20)
    #expect(net.featureChannels == 512 && net.outputStride == 16 && net.conditionalTaskCount == 20)
    #expect(net.features(Tensor.zeros([1, 3, 32, 32]), task: 19).shape == [1, 512, 2, 2])
  }

  // MARK: Costs

  @Test("analytic MAC counts equal PyTorch's FlopCounterMode (torchvision ResNets at 224×224)")
  func resnetMACs() throws {
    let f = try Self.fixture()
    var rng = RandomGenerator(seed: 0)
    for (name, arch) in [("resnet18", ResNet.Architecture.resnet18), ("resnet34", .resnet34), ("resnet50", .resnet50)] {
      let expected = try #require(Int(f.metadata["macs.\(name).b1.s224"] ?? ""))
      let cost = ResNet(arch, classes: 1000, baseChannels: 64, rng: &rng).forwardCost(input: [1, 3, 224, 224])
      #expect(cost.macs == expected, "\(name)")
      #expect(cost.outputShape == [1, 1000])
    }
  }

  @Test("analytic MAC count of the reference multi-task model equals FlopCounterMode's", arguments: [(3, 64), (5, 48)])
  func referenceMACs(tasks: Int, size: Int) throws {
    let f = try Self.fixture()
    var rng = RandomGenerator(seed: 0)
    let channels = [7, 1, 3]
    let model = MultiTaskModel(
      encoder: ReferenceCNN(rng: &rng),
      heads: (0..<tasks).map { t in ("t\(t)", ConvHead(128, channels[t % 3], hiddenChannels: 64, rng: &rng) as any TaskHead) })
    let expected = try #require(Int(f.metadata["macs.ref.t\(tasks).b2.s\(size)"] ?? ""))
    #expect(model.forwardCost(input: [2, 3, size, size]).macs == expected)
  }

  // MARK: Numerics

  @Test("DeepLab head: evaluation output (resized to the input) equals torchvision's ASPP layout")
  func deepLabEval() throws {
    let f = try Self.fixture()
    var rng = RandomGenerator(seed: 0)
    let head = DeepLabHead(16, 5, rates: [2, 4, 12], width: 8, rng: &rng)
    try head.loadStateDict(Self.state(f, "deeplab.state."))
    head.eval()
    let y = Autograd.withoutGradients { head(try! f.tensor("deeplab.x"), inputSize: [16, 16]) }
    Self.expectClose(y, try f.tensor("deeplab.eval.y"), "eval output")
  }

  @Test("DeepLab head: training-mode output, input and parameter gradients, running statistics")
  func deepLabTrain() throws {
    let f = try Self.fixture()
    var rng = RandomGenerator(seed: 0)
    let head = DeepLabHead(16, 5, rates: [2, 4, 12], width: 8, dropout: 0, rng: &rng)
    try head.loadStateDict(Self.state(f, "deeplab.state."))
    head.train()
    let x = try f.tensor("deeplab.x").requiringGrad()
    let y = head(x, inputSize: [16, 16])
    Self.expectClose(y, try f.tensor("deeplab.train.y"), "train output")
    y.backward(try f.tensor("deeplab.train.gy"))
    Self.expectClose(try #require(x.grad), try f.tensor("deeplab.train.gx"), "input gradient")
    let params = Dictionary(uniqueKeysWithValues: head.namedParameters())
    let buffers = Dictionary(uniqueKeysWithValues: head.namedBuffers())
    var checked = 0
    for (k, e) in f.tensors where k.hasPrefix("deeplab.train.") {
      let rest = String(k.dropFirst("deeplab.train.".count))
      if rest.hasPrefix("grad.") {
        Self.expectClose(try #require(params[String(rest.dropFirst(5))]?.grad, "\(rest)"), e, rest)
        checked += 1
      } else if let b = buffers[rest] {
        Self.expectClose(b.value, e, rest)
        checked += 1
      }
    }
    #expect(checked == 12)
  }

  @Test("VGG16BN (narrow plan) evaluation features equal torchvision's make_layers(batch_norm=True)")
  func vggEval() throws {
    let f = try Self.fixture()
    var rng = RandomGenerator(seed: 0)
    let vgg = VGG16BN(configuration: [4, 4, nil, 4, 4, nil, 8, 8, 8, nil, 8, 8, 8, nil, 8, 8, 8, nil], rng: &rng)
    try vgg.loadStateDict(Self.state(f, "vgg.state."))
    vgg.eval()
    #expect(vgg.outputStride == 32 && vgg.featureChannels == 8)
    Self.expectClose(Autograd.withoutGradients { vgg(try! f.tensor("vgg.x")) }, try f.tensor("vgg.eval.features"), "features")
  }

  static let conditionalPlan: [Int?] = [4, 4, nil, 4, 4, nil, 8, 8, 8, nil, 8, 8, 8, nil, 8, 8, 8]

  @Test("task-conditional VGG: each task's evaluation features use its own batch norms")
  func conditionalVGGEval() throws {
    let f = try Self.fixture()
    var rng = RandomGenerator(seed: 0)
    let net = TaskConditionalVGG16(tasks: 3, configuration: Self.conditionalPlan, rng: &rng)
    try net.loadStateDict(Self.state(f, "cvgg.state."))
    net.eval()
    let x = try f.tensor("vgg.x")
    for t in 0..<3 {
      Self.expectClose(Autograd.withoutGradients { net.features(x, task: t) }, try f.tensor("cvgg.eval.features\(t)"), "task \(t)")
    }
    let a = Autograd.withoutGradients { net.features(x, task: 0) }
    let b = Autograd.withoutGradients { net.features(x, task: 2) }
    #expect(a.scalars != b.scalars, "different tasks normalise differently")
  }

  @Test("task-conditional VGG: a training pass of task 1 updates only task 1's statistics")
  func conditionalVGGTrain() throws {
    let f = try Self.fixture()
    var rng = RandomGenerator(seed: 0)
    let net = TaskConditionalVGG16(tasks: 3, configuration: Self.conditionalPlan, rng: &rng)
    try net.loadStateDict(Self.state(f, "cvgg.state."))
    net.train()
    let x = try f.tensor("vgg.x").requiringGrad()
    let z = net.features(x, task: 1)
    Self.expectClose(z, try f.tensor("cvgg.train.features1"), "features")
    z.backward(try f.tensor("cvgg.train.gy"))
    Self.expectClose(try #require(x.grad), try f.tensor("cvgg.train.gx"), "input gradient")
    let params = Dictionary(uniqueKeysWithValues: net.namedParameters())
    let buffers = Dictionary(uniqueKeysWithValues: net.namedBuffers())
    for name in ["network_block.0.weight", "network_block.1.bn_list.1.weight", "network_block.40.weight"] {
      Self.expectClose(try #require(params[name]?.grad), try f.tensor("cvgg.train.grad.\(name)"), name)
    }
    // A convolution bias followed by training-mode batch norm has an exactly zero gradient (the
    // normalisation removes the mean); only rounding remains.
    let biasGrad = try #require(params["network_block.0.bias"]?.grad).scalars.map(Swift.abs).max()!
    let weightGrad = try #require(params["network_block.0.weight"]?.grad).scalars.map(Swift.abs).max()!
    #expect(biasGrad <= 1e-4 * weightGrad)
    #expect(params["network_block.1.bn_list.0.weight"]?.grad == nil, "task 0's batch norm takes no gradient")
    for name in ["network_block.1.bn_list.1.running_mean", "network_block.1.bn_list.0.running_mean", "network_block.1.bn_list.1.num_batches_tracked"] {
      let b = try #require(buffers[name])
      Self.expectClose(b.value, try f.tensor("cvgg.train.\(name)").reshaped(b.value.shape), name)
    }
  }
}
