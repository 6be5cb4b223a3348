import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import Foundation
import Testing

@Suite("Initialisers vs torch.nn.init")
struct InitializerTests {
  static let names = [
    "kaiming_uniform_relu_fanin", "kaiming_uniform_linear_default", "kaiming_uniform_conv_fanout",
    "kaiming_normal_conv_fanout", "kaiming_normal_leaky", "kaiming_uniform_tanh", "xavier_uniform_tanh",
    "xavier_uniform_conv", "xavier_normal_relu", "xavier_normal_selu",
  ]

  static func nonlinearity(_ name: String, slope: Double) -> Initializers.Nonlinearity {
    switch name {
    case "relu": .relu
    case "tanh": .tanh
    case "linear": .linear
    case "selu": .selu
    case "sigmoid": .sigmoid
    case "leaky_relu": .leakyReLU(negativeSlope: Float(slope))
    default: preconditionFailure("unknown nonlinearity \(name)")
    }
  }

  /// Mean, standard deviation and largest |x| of a tensor, in Double.
  static func stats(_ t: Tensor) -> (mean: Double, std: Double, maxAbs: Double) {
    let x = t.scalars.map(Double.init)
    let mean = x.reduce(0, +) / Double(x.count)
    let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)
    return (mean, variance.squareRoot(), x.map(abs).max()!)
  }

  @Test("fans, gains, bounds and stds are PyTorch's; samples have those statistics", arguments: names)
  func matchesPyTorch(name: String) throws {
    let archive = try Fixtures.load("optim_init")
    let cases = try JSONSerialization.jsonObject(with: Data(archive.metadata["cases"]!.utf8)) as! [String: [String: Any]]
    let c = try #require(cases[name])
    let shape = c["shape"] as! [Int]
    let fn = c["fn"] as! String
    let fans = Initializers.fans(shape)
    #expect([Float(fans.fanIn), Float(fans.fanOut)] == (try archive.tensor("\(name)/fans")).scalars)

    let gain: Float
    let std: Float
    if fn.hasPrefix("kaiming") {
      let nl = Self.nonlinearity(c["nonlinearity"] as! String, slope: c["a"] as! Double)
      gain = nl.gain
      std = Initializers.kaimingStd(shape, nonlinearity: nl, fanOut: (c["mode"] as! String) == "fan_out")
    } else {
      gain = Self.nonlinearity(c["gain_of"] as! String, slope: 0).gain
      std = Initializers.xavierStd(shape, gain: gain)
    }
    let rel: (Float, Float) -> Float = { abs($0 - $1) / abs($1) }
    #expect(rel(gain, try archive.tensor("\(name)/gain").item) < 1e-6, "\(name) gain \(gain)")
    #expect(rel(std, try archive.tensor("\(name)/std").item) < 1e-6, "\(name) std \(std)")
    let bound = (try archive.tensor("\(name)/bound")).item

    // Sample statistics over many draws of the layer's shape.
    var rng = RandomGenerator(seed: 99)
    var draws: [Float] = []
    let repeats = max(1, 200_000 / Shape.count(shape))
    for _ in 0..<repeats {
      let nl = fn.hasPrefix("kaiming") ? Self.nonlinearity(c["nonlinearity"] as! String, slope: c["a"] as! Double) : .linear
      let fanOut = (c["mode"] as? String) == "fan_out"
      let t: Tensor =
        switch fn {
        case "kaiming_uniform": Initializers.kaimingUniform(shape, nonlinearity: nl, fanOut: fanOut, using: &rng)
        case "kaiming_normal": Initializers.kaimingNormal(shape, nonlinearity: nl, fanOut: fanOut, using: &rng)
        case "xavier_uniform": Initializers.xavierUniform(shape, gain: gain, using: &rng)
        default: Initializers.xavierNormal(shape, gain: gain, using: &rng)
        }
      #expect(t.shape == shape)
      draws += t.scalars
    }
    let s = Self.stats(Tensor(draws))
    let n = Double(draws.count)
    #expect(abs(s.mean) < 5 * Double(std) / n.squareRoot(), "\(name): sample mean \(s.mean)")
    #expect(abs(s.std / Double(std) - 1) < 0.01, "\(name): sample std \(s.std) vs \(std)")
    if fn.hasSuffix("uniform") {
      #expect(s.maxAbs <= Double(bound) * (1 + 1e-6), "\(name): |x| reaches \(s.maxAbs) > bound \(bound)")
      #expect(s.maxAbs > Double(bound) * 0.999, "\(name): |x| only reaches \(s.maxAbs), bound \(bound)")
    } else {
      // A normal sample of this size exceeds 3.5 std somewhere.
      #expect(s.maxAbs > 3.5 * Double(std), "\(name): largest |x| \(s.maxAbs) for std \(std)")
    }
  }

  @Test("the same seed gives the same tensor, another seed a different one")
  func reproducible() {
    var a = RandomGenerator(seed: 5)
    var b = RandomGenerator(seed: 5)
    var c = RandomGenerator(seed: 6)
    let shape = [8, 4, 3, 3]
    let x = Initializers.kaimingNormal(shape, nonlinearity: .relu, fanOut: true, using: &a)
    let y = Initializers.kaimingNormal(shape, nonlinearity: .relu, fanOut: true, using: &b)
    let z = Initializers.kaimingNormal(shape, nonlinearity: .relu, fanOut: true, using: &c)
    #expect(x.scalars == y.scalars)
    #expect(x.scalars != z.scalars)
    #expect(a == b)
    let u = Initializers.xavierUniform(shape, using: &a)
    #expect(u.scalars == Initializers.xavierUniform(shape, using: &b).scalars)
  }

  @Test("PyTorch's Linear default gives bound 1/sqrt(fan_in); empty shapes are a no-op")
  func linearDefaultAndEmpty() {
    let std = Initializers.kaimingStd([10, 25], nonlinearity: .leakyReLU(negativeSlope: Float(5).squareRoot()))
    #expect(abs(Float(3).squareRoot() * std - 0.2) < 1e-7)
    var rng = RandomGenerator(seed: 1)
    #expect(Initializers.kaimingUniform([0, 4], using: &rng).count == 0)
    #expect(Initializers.xavierNormal([3, 0], using: &rng).count == 0)
  }
}
