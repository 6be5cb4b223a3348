import AuxEngine
import AuxNN
import AuxTestSupport
import Testing

@Suite("Multi-task model")
struct MultiTaskModelTests {
  static func model(_ rng: inout RandomGenerator, upsampling: DenseUpsampling = .bilinear) -> MultiTaskModel {
    MultiTaskModel(
      encoder: ReferenceCNN(rng: &rng),
      heads: [
        ("seg", ConvHead(128, 7, hiddenChannels: 16, upsampling: upsampling, rng: &rng)),
        ("depth", ConvHead(128, 1, hiddenChannels: 16, upsampling: upsampling, rng: &rng)),
        ("class", ClassificationHead(128, classes: 4, rng: &rng)),
      ])
  }

  @Test("names: encoder.* and heads.<task>.*; parameter groups by prefix; disjoint head sets")
  func names() {
    var rng = RandomGenerator(seed: 1)
    let m = Self.model(&rng)
    let names = m.namedParameters().map(\.0)
    #expect(names.contains("encoder.0.0.weight") && names.contains("heads.seg.body.0.weight") && names.contains("heads.class.fc.bias"))
    #expect(m.parameters(withPrefix: "encoder.").count == m.encoderParameters.count)
    #expect(m.parameters(withPrefix: "heads.").count == m.headParameters.reduce(0) { $0 + $1.count })
    #expect(m.parameters(withPrefix: "heads.depth.").map(ObjectIdentifier.init) == m.headParameters[1].map(ObjectIdentifier.init))
    let all = m.headParameters.flatMap { $0 }.map(ObjectIdentifier.init)
    #expect(Set(all).count == all.count)
    #expect(m.stateDict()["encoder.4.1.num_batches_tracked"] != nil)
    let group = ParameterGroup(name: "seg", module: m, prefix: "heads.seg.", learningRate: 0.1)
    #expect(group.parameters.map(\.name) == ["heads.seg.body.0.weight", "heads.seg.body.1.weight", "heads.seg.body.1.bias", "heads.seg.out.weight", "heads.seg.out.bias"])
    #expect(group.parameters.map { ObjectIdentifier($0.parameter) } == m.headParameters[0].map(ObjectIdentifier.init))
  }

  @Test("forward: features, dense outputs at the input size, logits; train/eval reach every head")
  func forward() {
    var rng = RandomGenerator(seed: 2)
    let m = Self.model(&rng)
    let x = Initializers.normal([2, 3, 32, 24], using: &rng)
    let out = m(x)
    #expect(out.features.shape == [2, 128, 8, 6])
    #expect(out["seg"].shape == [2, 7, 32, 24] && out["depth"].shape == [2, 1, 32, 24] && out["class"].shape == [2, 4])
    m.eval()
    #expect(m.namedModules().allSatisfy { !$0.1.isTraining })
    let a = Autograd.withoutGradients { m(x)["depth"].scalars }
    let b = Autograd.withoutGradients { m(x)["depth"].scalars }
    #expect(a == b)
    m.train()
    #expect(m.namedModules().allSatisfy { $0.1.isTraining })
    let small = Self.model(&rng, upsampling: .none)(x)
    #expect(small["seg"].shape == [2, 7, 8, 6])
  }

  @Test("heads on per-task aliases: their gradients are the per-task feature gradients, summing to the joint one")
  func aliases() {
    var rng = RandomGenerator(seed: 3)
    let m = Self.model(&rng)
    m.eval()
    let x = Initializers.normal([2, 3, 16, 16], using: &rng)
    var aliases: [Tensor] = []
    let out = m.forward(x) { z in
      aliases = (0..<3).map { _ in z.detached().requiringGrad() }
      return aliases
    }
    let losses = out.outputs.map { $0.pow(2).mean() }
    (losses[0] + losses[1] + losses[2]).backward()
    let joint = m(x)
    let z = joint.features
    let direct = Autograd.gradients(of: [joint.outputs.map { $0.pow(2).mean() }.reduce(Tensor(0), +)], wrt: [z])[0]!
    let summed = aliases[0].grad! + aliases[1].grad! + aliases[2].grad!
    #expect(Closeness.mismatch(summed, direct, rtol: 1e-4, atol: 1e-6) == nil)
    #expect(m.encoderParameters.allSatisfy { $0.grad == nil }, "the alias pass stops at the features")
    #expect(m.headParameters[0].allSatisfy { $0.grad != nil })
  }

  @Test("multi-input forward: a task-conditional encoder runs once per task with that task's batch norm")
  func multiInput() {
    var rng = RandomGenerator(seed: 4)
    let plan: [Int?] = [4, nil, 8]
    let enc = TaskConditionalVGG16(tasks: 2, configuration: plan, rng: &rng)
    let m = MultiTaskModel(encoder: enc, heads: [("a", ClassificationHead(8, classes: 5, rng: &rng)), ("b", ClassificationHead(8, classes: 5, rng: &rng))])
    let xa = Initializers.normal([3, 3, 8, 8], using: &rng)
    let xb = Initializers.normal([3, 3, 8, 8], using: &rng)
    let (features, outputs) = m.forward(taskInputs: [xa, xb])
    #expect(features[0].shape == [3, 8, 4, 4] && outputs[1].shape == [3, 5])
    #expect(enc.layers(of: 0).allSatisfy { $0.batchesTracked!.value.item == 1 })
    (outputs[0].sum() + outputs[1].sum()).backward()
    #expect(m.headParameters.allSatisfy { $0.allSatisfy { $0.grad != nil } })
  }
}

extension TaskConditionalVGG16 {
  /// Task `t`'s batch-norm layers.
  func layers(of t: Int) -> [BatchNorm2d] {
    namedModules().compactMap { $0.1 as? TaskConditionalBatchNorm2d }.map { $0.layers[t] }
  }
}
