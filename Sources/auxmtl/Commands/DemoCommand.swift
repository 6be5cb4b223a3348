import ArgumentParser
import Foundation
import AuxEngine
import AuxNN

struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run a short training job on generated data and print its falling loss.",
    discussion: """
      Fits a two-layer network to a generated regression problem (y = sin(x·a) + x·b + noise) with
      SGD and momentum, printing the training loss after every epoch. It needs no data and no
      downloads, and finishes in seconds.
      """)

  @Option(help: "Number of epochs.") var epochs = 8
  @Option(help: "Random seed for data and initialisation.") var seed: UInt64 = 0

  func run() throws {
    var rng = RandomGenerator(seed: seed)
    let n = 512
    let d = 8
    let x = Initializers.normal([n, d], using: &rng)
    let a = Initializers.normal([d, 1], using: &rng)
    let b = Initializers.normal([d, 1], std: 0.3, using: &rng)
    let y = Autograd.withoutGradients { (x.matmul(a)).tanh() + x.matmul(b) + Initializers.normal([n, 1], std: 0.05, using: &rng) }

    let model = Sequential(Linear(d, 32, rng: &rng), ReLU(), Linear(32, 1, rng: &rng))
    let optimizer = SGD([ParameterGroup(module: model, learningRate: 0.05)], momentum: 0.9)
    let batch = 32
    print("epoch  train-loss (mean squared error)")
    for epoch in 1...epochs {
      var order = Array(0..<n)
      rng.shuffle(&order)
      var total: Double = 0
      var steps = 0
      for start in stride(from: 0, to: n, by: batch) {
        let idx = Array(order[start..<min(start + batch, n)])
        let xb = x.gatherRows(idx)
        let yb = y.gatherRows(idx)
        optimizer.zeroGrad()
        let loss = (model(xb) - yb).pow(2).mean()
        loss.backward()
        optimizer.step()
        total += Double(loss.item)
        steps += 1
      }
      print(String(format: "%5d  %.5f", epoch, total / Double(steps)))
    }
  }
}
