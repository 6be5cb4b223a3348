import AuxEngine
import AuxMTL
import AuxNN
import AuxTestSupport
import Testing

/// Seed 004's auxiliary module in a training step: the driver adds exactly the gradient of the
/// module's loss, computed by autodiff on the module and the encoder, to what the method gives,
/// for any method; the task heads are untouched by it.
@Suite("Auxiliary module gradient")
struct AuxiliaryModuleGradientTests {
  final class Setup {
    let encoder: ReferenceCNN
    let model: MultiTaskModel
    let aux: AuxiliaryModule
    let images: Tensor
    let labels: Tensor
    let depth: Tensor
    let weight: Float = 0.7

    init() {
      var rng = RandomGenerator(seed: 11)
      encoder = ReferenceCNN(rng: &rng)
      model = MultiTaskModel(encoder: encoder, heads: [
        ("semantic", ConvHead(128, 3, hiddenChannels: 8, rng: &rng)), ("depth", ConvHead(128, 1, hiddenChannels: 8, rng: &rng)),
      ])
      aux = AuxiliaryModule(
        stageChannels: encoder.stageChannels, width: 6,
        heads: [("semantic", ConvHead(6, 3, hiddenChannels: 6, rng: &rng)), ("depth", ConvHead(6, 1, hiddenChannels: 6, rng: &rng))],
        rng: &rng)
      images = Tensor(shape: [2, 3, 12, 12], scalars: (0..<(2 * 3 * 144)).map { _ in rng.nextNormal() })
      labels = Tensor(shape: [2, 12, 12], scalars: (0..<(2 * 144)).map { _ in Float(rng.nextInt(below: 3)) })
      depth = Tensor(shape: [2, 1, 12, 12], scalars: (0..<(2 * 144)).map { _ in rng.nextUniform() })
    }

    func auxLoss(_ stages: [Tensor]) -> Tensor {
      let out = aux(stages, inputSize: Size2D(12, 12))
      return (out[0].crossEntropy(target: labels) + out[1].l1Loss(depth)) * weight
    }

    /// One driver step with a zero learning rate under `method`; every parameter's gradient after it.
    func step(_ methodName: String, withModule: Bool) throws -> [ObjectIdentifier: Tensor] {
      let tasks = [TaskInfo("semantic", role: .primary), TaskInfo("depth", role: .auxiliary)]
      let method = try MethodRegistry.make(methodName, tasks: tasks, seed: 0)
      var groups = [ParameterGroup(name: "model", module: model, learningRate: 0), ParameterGroup(name: "aux", module: aux, learningRate: 0)]
      if !method.parameters.isEmpty { groups.append(ParameterGroup(name: "method", parameters: method.parameters, learningRate: 0)) }
      let sgd = SGD(groups)
      let split = ModelSplit(
        sharedParameters: model.encoderParameters, taskParameters: model.headParameters, trainingOnlyParameters: aux.parameters())
      let driver = try StepDriver(tasks: tasks, model: split, method: method, optimizer: sgd)
      var stages: [Tensor] = []
      let batch = StepBatch(
        encode: {
          stages = self.encoder.stageFeatures(self.images, task: 0)
          return stages[stages.count - 1]
        },
        lossesWithTerms: { shared in
          let size = Size2D(12, 12)
          let losses = [
            self.model.heads[0](shared[0], inputSize: size).crossEntropy(target: self.labels),
            self.model.heads[1](shared[1], inputSize: size).l1Loss(self.depth),
          ]
          return TaskLosses(losses, trainingOnly: withModule ? self.auxLoss(stages) : nil)
        })
      try driver.step(batch)
      var out: [ObjectIdentifier: Tensor] = [:]
      for p in model.parameters() + aux.parameters() { if let g = p.grad { out[ObjectIdentifier(p)] = g } }
      return out
    }
  }

  @Test("encoder and module gradients = the method's + ∂(weight · Σ L_aux)/∂θ; heads get the method's alone", arguments: ["ew", "pcgrad", "ial"])
  func gradientsAdd(method: String) throws {
    let s = Setup()
    let plain = try s.step(method, withModule: false)
    let with = try s.step(method, withModule: true)

    // The module's own gradient, by autodiff of its loss alone.
    let encoderParams = s.model.encoderParameters
    let auxParams = s.aux.parameters()
    let reference = Autograd.gradients(
      of: [s.auxLoss(s.encoder.stageFeatures(s.images, task: 0))], wrt: (encoderParams + auxParams).map(\.value))
    var firstConvAux = 0.0
    for (i, p) in (encoderParams + auxParams).enumerated() {
      let id = ObjectIdentifier(p)
      let g = reference[i] ?? Tensor.zeros(p.shape)
      let expected = plain[id].map { $0 + g } ?? g
      #expect(with[id] != nil, "\(method): parameter \(i) got no gradient")
      if let actual = with[id] { #expect(Closeness.mismatch(actual, expected, rtol: 1e-4, atol: 1e-6) == nil, "\(method): parameter \(i)") }
      if i == 0 { firstConvAux = Double(g.scalars.map { $0 * $0 }.reduce(0, +)) }
    }
    // The module reaches the first shared layer, so the test would see a missing contribution.
    #expect(firstConvAux > 0)
    for p in s.model.headParameters.flatMap({ $0 }) {
      let id = ObjectIdentifier(p)
      #expect(Closeness.mismatch(with[id]!, plain[id]!, rtol: 1e-6, atol: 0) == nil)
    }
    #expect(auxParams.allSatisfy { plain[ObjectIdentifier($0)] == nil })
  }
}
