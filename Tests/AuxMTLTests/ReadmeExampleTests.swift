import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// The README's "Your own model" example, as written there, on a small learnable problem: it must
/// compile against the public API and train (the primary loss falls).
@Suite("README library example")
struct ReadmeExampleTests {
  /// A batch whose labels are functions of the image, so the tasks are learnable: each image is
  /// noise plus one lit colour channel, every pixel's class is that channel, its depth the mean
  /// over channels.
  static func batch(_ rng: inout RandomGenerator) -> (images: Tensor, labels: Tensor, depth: Tensor) {
    let (n, side) = (8, 16)
    let classes = (0..<n).map { _ in rng.nextInt(below: 3) }
    var lit = [Float](repeating: 0, count: n * 3 * side * side)
    for (i, c) in classes.enumerated() {
      for p in 0..<(side * side) { lit[(i * 3 + c) * side * side + p] = 1 }
    }
    let images = Tensor(shape: [n, 3, side, side], scalars: lit)
      + Initializers.uniform([n, 3, side, side], low: 0, high: 0.5, using: &rng)
    let labels = Tensor(
      shape: [n, side, side], scalars: classes.flatMap { [Float](repeating: Float($0), count: side * side) })
    return (images, labels, images.mean(axes: [1], keepDim: true))
  }

  @Test("a user's step with IAL through the StepDriver")
  func userStep() throws {
    var data = RandomGenerator(seed: 7)
    let batches = (0..<40).map { _ in Self.batch(&data) }
    var firstLoss: Float = 0
    var lastLoss: Float = 0
    var lastReport = StepReport()

    // --- README example begins ---
    var rng = RandomGenerator(seed: 0)
    let model = MultiTaskModel(encoder: ReferenceCNN(rng: &rng), heads: [
      ("semantic", ConvHead(128, 3, hiddenChannels: 32, rng: &rng)),
      ("depth", ConvHead(128, 1, hiddenChannels: 32, rng: &rng)),
    ])
    let tasks = [TaskInfo("semantic", role: .primary), TaskInfo("depth", role: .auxiliary)]
    let method = try MethodRegistry.make("ial", tasks: tasks)
    let adam = Adam([
      ParameterGroup(module: model, learningRate: 1e-3),
      ParameterGroup(name: "method", parameters: method.parameters, learningRate: 1e-3),
    ])
    let driver = try StepDriver(tasks: tasks, model: ModelSplit(model), method: method, optimizer: adam)

    for (images, labels, depth) in batches {
      let batch = StepBatch(model: model, input: images) { outputs in
        [outputs[0].crossEntropy(target: labels), outputs[1].l1Loss(depth)]
      }
      let outcome = try driver.step(batch)  // outcome.losses; outcome.report.values["weight/depth"], ["sigma/depth"], …
      // --- README example ends ---
      if firstLoss == 0 { firstLoss = outcome.losses[0] }
      lastLoss = outcome.losses[0]
      lastReport = outcome.report
    }
    #expect(lastLoss < 0.7 * firstLoss, "primary loss \(firstLoss) → \(lastLoss)")
    #expect(lastReport.values["weight/depth"] != nil)
    #expect(lastReport.values["sigma/depth"] != nil)
  }
}
