import AuxEngine
import AuxNN
import AuxTraining

/// A small multi-task network for trainer tests: two conv-BN-ReLU blocks (the second with stride
/// 2) shared, a conv head per dense task upsampled to the input size, a pooled linear head per
/// class task.
final class TinyNetwork: MultiTaskNetwork {
  let root = Module()
  let encoder: Sequential
  let heads: [any Layer]
  let dense: [Bool]

  init(tasks: [TaskObjective], inputChannels: Int, rng: inout RandomGenerator) {
    encoder = Sequential(
      Conv2d(inputChannels, 8, kernelSize: 3, padding: 1, bias: false, rng: &rng), BatchNorm2d(8), ReLU(),
      Conv2d(8, 12, kernelSize: 3, stride: 2, padding: 1, bias: false, rng: &rng), BatchNorm2d(12), ReLU())
    var hs: [any Layer] = []
    for t in tasks {
      if t.isDense {
        hs.append(Conv2d(12, t.outputChannels, kernelSize: 1, rng: &rng))
      } else {
        hs.append(Sequential(AdaptiveAvgPool2d(outputSize: 1), Flatten(), Linear(12, t.outputChannels, rng: &rng)))
      }
    }
    heads = hs
    dense = tasks.map(\.isDense)
    root.registerModule("encoder", encoder)
    for (i, h) in hs.enumerated() { root.registerModule("head\(i)", h) }
  }

  var module: Module { root }
  var encoderParameters: [Parameter] { encoder.parameters() }
  func headParameters(_ task: Int) -> [Parameter] { heads[task].parameters() }
  func encode(_ images: Tensor, task: Int?) -> Tensor { encoder(images) }
  func decode(_ features: Tensor, task: Int, inputSize: Size2D) -> Tensor {
    let y = heads[task](features)
    return dense[task] ? y.upsampleBilinear2d(size: inputSize) : y
  }
}

/// Flattens `[N, …]` to `[N, rest]`.
final class Flatten: Module, Layer {
  override init() { super.init() }
  func callAsFunction(_ x: Tensor) -> Tensor { x.flattened(from: 1) }
}

let tinyNetworks: NetworkFactory = { _, tasks, shape, _, rng in
  TinyNetwork(tasks: tasks, inputChannels: shape[0], rng: &rng)
}
