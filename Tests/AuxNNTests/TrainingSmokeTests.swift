import AuxEngine
import AuxNN
import AuxTestSupport
import Testing

@Suite("Training")
struct TrainingSmokeTests {
  @Test("a tiny regression's loss falls under SGD with momentum")
  func lossFalls() {
    var rng = RandomGenerator(seed: 11)
    let x = Initializers.normal([64, 4], using: &rng)
    let target = Autograd.withoutGradients { x.matmul(Initializers.normal([4, 1], using: &rng)).tanh() }
    let model = Sequential(Linear(4, 16, rng: &rng), ReLU(), Linear(16, 1, rng: &rng))
    let opt = SGD([ParameterGroup(module: model, learningRate: 0.05)], momentum: 0.9)
    var losses: [Float] = []
    for _ in 0..<200 {
      opt.zeroGrad()
      let loss = (model(x) - target).pow(2).mean()
      loss.backward()
      opt.step()
      losses.append(loss.item)
    }
    #expect(losses.last! < 0.2 * losses.first!, "loss went from \(losses.first!) to \(losses.last!)")
  }
}
