import AuxData
import AuxEngine
import AuxNN
import AuxTraining

// Toy components registered by ComponentRegistryTests, the code the DocC articles "Adding a
// dataset" and "Adding a network" show: each is one type plus one descriptor.

/// `toy-signs`: seeded noise images `[1, 12, 12]`; task `sign` labels each pixel by its sign
/// (dense, 2 classes), task `bright` the image by the sign of its mean (2 classes). It has no
/// validation split.
struct ToySigns: MultiTaskDataset {
  let name: String
  let count: Int
  let seed: UInt64
  var tasks: [TaskLabelSpec] {
    [TaskLabelSpec(name: "sign", kind: .denseClass(classes: 2, ignoreIndex: -1)), TaskLabelSpec(name: "bright", kind: .classIndex(classes: 2))]
  }
  var imageShape: [Int] { [1, 12, 12] }

  func sample(at index: Int) throws -> Sample {
    var rng = RandomGenerator(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
    let pixels = (0..<144).map { _ in rng.nextNormal() + 0.2 }
    return Sample(
      image: Tensor(shape: imageShape, scalars: pixels),
      labels: [
        "sign": Tensor(shape: [12, 12], scalars: pixels.map { $0 > 0 ? 1 : 0 }),
        "bright": Tensor([pixels.reduce(0, +) > 0 ? 1 : 0]),
      ])
  }

  static let descriptor = DatasetDescriptor(
    name: "toy-signs", summary: "seeded noise: per-pixel sign and image brightness (a test's toy)",
    options: [RegistryOption("dataset.train_samples", "images", range: 1...1000)]
  ) { request, _ in
    let counts: [DataSplit: Int] = [.train: request.limit ?? 64, .test: 16]
    guard let count = counts[request.split] else {
      throw DatasetError("toy-signs has no \(request.split) split", missingSplit: request.split)
    }
    return .single(ToySigns(name: "toy-signs-\(request.split)", count: count, seed: request.seed &+ (request.split == .test ? 1 : 0)))
  }
}

/// `toy-conv`: one 3×3 convolution and ReLU at full resolution.
final class ToyConvEncoder: Module, Encoder {
  let conv: Conv2d
  let featureChannels = 6
  let outputStride = 1

  init(inChannels: Int, rng: inout RandomGenerator) {
    conv = Conv2d(inChannels, 6, kernelSize: 3, padding: 1, rng: &rng)
    super.init()
    registerModule("conv", conv)
  }

  func features(_ input: Tensor, task: Int) -> Tensor { conv(input).relu() }
}

extension EncoderDescriptor {
  static let toyConv = EncoderDescriptor(name: "toy-conv", summary: "one conv3×3 + ReLU (a test's toy)", headWidth: 4) { request, rng in
    ToyConvEncoder(inChannels: request.inputShape[0], rng: &rng)
  }
}

/// `toy-pointwise`: a 1×1 convolution per dense task (features are at full resolution).
final class ToyPointwiseHead: Module, TaskHead {
  let conv: Conv2d
  let inChannels: Int
  let outChannels: Int

  init(_ inChannels: Int, _ outChannels: Int, rng: inout RandomGenerator) {
    self.inChannels = inChannels
    self.outChannels = outChannels
    conv = Conv2d(inChannels, outChannels, kernelSize: 1, rng: &rng)
    super.init()
    registerModule("conv", conv)
  }

  func callAsFunction(_ features: Tensor, inputSize: Size2D) -> Tensor { conv(features) }
}

extension HeadDescriptor {
  static let toyPointwise = HeadDescriptor(name: "toy-pointwise", summary: "conv1×1 (a test's toy)") { request, rng in
    ToyPointwiseHead(request.featureChannels, request.task.outputChannels, rng: &rng)
  }
}

/// `toy-sign-gd`: sign gradient descent, θ ← θ − lr · sign(g) (stateless).
final class ToySignDescent: Optimizer {
  var groups: [ParameterGroup]
  init(_ groups: [ParameterGroup]) { self.groups = groups }

  func step() {
    for group in groups {
      for (_, p) in group.parameters {
        guard let grad = p.grad else { continue }
        let g = grad.scalars
        p.update { theta in
          for i in 0..<theta.count { theta[i] -= group.learningRate * (g[i] > 0 ? 1 : g[i] < 0 ? -1 : 0) }
        }
      }
    }
  }

  func stateDict() -> [String: Tensor] { [:] }
  func loadStateDict(_ state: [String: Tensor]) throws {
    guard state.isEmpty else { throw OptimizerStateError("toy-sign-gd keeps no state; found \(state.keys.sorted())") }
  }
}

extension OptimizerDescriptor {
  static let toySignDescent = OptimizerDescriptor(name: "toy-sign-gd", summary: "sign gradient descent (a test's toy)") { groups, _ in
    ToySignDescent(groups)
  }
}

/// `toy-halving`: the rate halves every epoch.
struct ToyHalving: LearningRateSchedule {
  func learningRate(base: Double, epoch: Int) -> Double { base / Double(1 << min(epoch, 60)) }
  var description: String { "toy-halving" }
}

extension ScheduleDescriptor {
  static let toyHalving = ScheduleDescriptor(name: "toy-halving", summary: "halve the rate every epoch (a test's toy)") { _, _ in
    ToyHalving()
  }
}

/// The standard registries plus the four toys.
func toyRegistries() throws -> RunRegistries {
  var registries = RunRegistries.standard
  try registries.datasets.register(ToySigns.descriptor)
  try registries.networks.encoders.register(.toyConv)
  try registries.networks.heads.register(.toyPointwise)
  try registries.optimizers.register(.toySignDescent)
  try registries.schedules.register(.toyHalving)
  return registries
}
