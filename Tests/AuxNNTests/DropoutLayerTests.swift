import AuxEngine
import AuxNN
import AuxTestSupport
import Testing

@Suite("Dropout layer")
struct DropoutLayerTests {
  @Test("drops in training mode, identity in evaluation mode, follows the parent's mode")
  func modes() {
    var rng = RandomGenerator(seed: 1)
    let dropout = Dropout(0.5, rng: &rng)
    let model = Sequential(dropout, ReLU())
    let x = Tensor(shape: [10_000], repeating: 1)
    let y = model(x).scalars
    let zeros = y.filter { $0 == 0 }.count
    #expect(zeros > 4_700 && zeros < 5_300, "\(zeros) of 10000 dropped at p = 0.5")
    #expect(y.allSatisfy { $0 == 0 || $0 == 2 })
    model.eval()
    #expect(!dropout.isTraining)
    #expect(model(x).scalars == x.scalars)
    model.train()
    #expect(model(x).scalars.contains(0))
  }

  @Test("seeded layers reproduce their masks; two layers from one generator differ")
  func seeding() {
    var a = RandomGenerator(seed: 2)
    var b = RandomGenerator(seed: 2)
    let x = Tensor(shape: [256], repeating: 1)
    let d1 = Dropout(0.3, rng: &a)
    let d2 = Dropout(0.3, rng: &b)
    #expect(d1(x).scalars == d2(x).scalars)
    let d3 = Dropout(0.3, rng: &a)
    #expect(d3(x).scalars != d1(x).scalars)
    #expect(Dropout(0.3, seed: 9)(x).scalars == Dropout(0.3, seed: 9)(x).scalars)
  }

  @Test("no parameters, no buffers")
  func stateless() {
    let d = Dropout(0.1, seed: 0)
    #expect(d.parameterCount == 0 && d.stateDict().isEmpty)
  }
}
