import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import Foundation
import Testing

@Suite("Learning-rate schedules vs torch.optim.lr_scheduler")
struct ScheduleTests {
  static func fixture() throws -> (SafetensorsArchive, [String: [String: Any]], [Float]) {
    let archive = try Fixtures.load("optim_schedules")
    let cases = try JSONSerialization.jsonObject(with: Data(archive.metadata["cases"]!.utf8)) as! [String: [String: Any]]
    let bases = try JSONSerialization.jsonObject(with: Data(archive.metadata["bases"]!.utf8)) as! [Double]
    return (archive, cases, bases.map(Float.init))
  }

  static func schedule(_ c: [String: Any]) -> any LearningRateSchedule {
    func d(_ k: String) -> Double { c[k] as! Double }
    func i(_ k: String) -> Int { c[k] as! Int }
    switch c["kind"] as! String {
    case "step": return StepSchedule(stepSize: i("step_size"), gamma: d("gamma"))
    case "cosine": return CosineAnnealingSchedule(tMax: i("t_max"), etaMin: d("eta_min"))
    case "poly": return PolynomialDecaySchedule(maxEpochs: i("max_epochs"), power: d("power"))
    case "warmup_cosine":
      return LinearWarmupSchedule(
        epochs: i("warmup"), startFactor: d("start_factor"), then: CosineAnnealingSchedule(tMax: i("t_max"), etaMin: d("eta_min")))
    case "warmup_poly":
      return LinearWarmupSchedule(
        epochs: i("warmup"), startFactor: d("start_factor"), then: PolynomialDecaySchedule(maxEpochs: i("max_epochs"), power: d("power")))
    default: preconditionFailure("unknown schedule kind")
    }
  }

  /// An SGD optimiser with one parameter per base rate.
  static func optimizer(_ bases: [Float]) -> SGD {
    SGD(bases.enumerated().map { i, lr in
      ParameterGroup(name: "g\(i)", parameters: [(name: "p\(i)", parameter: Parameter(Tensor([0])))], learningRate: lr)
    })
  }

  /// The rates the scheduler puts into the groups over `epochs` epochs, as an [epochs, groups] tensor.
  static func run(_ schedule: any LearningRateSchedule, bases: [Float], epochs: Int) -> Tensor {
    let opt = optimizer(bases)
    let scheduler = LearningRateScheduler(schedule, optimizer: opt)
    var values: [Float] = []
    for _ in 0..<epochs {
      values += opt.groups.map(\.learningRate)
      opt.step()
      scheduler.step()
    }
    return Tensor(shape: [epochs, bases.count], scalars: values)
  }

  @Test("per-epoch rates of every group match PyTorch's chained and closed forms",
        arguments: ["step", "cosine", "poly", "warmup_cosine", "warmup_poly"])
  func matchesPyTorch(name: String) throws {
    let (archive, cases, bases) = try Self.fixture()
    let c = try #require(cases[name])
    let epochs = c["epochs"] as! Int
    let ours = Self.run(Self.schedule(c), bases: bases, epochs: epochs)
    var compared = 0
    for form in ["chained", "closed", "ial"] {
      guard let expected = archive.tensors["\(name)/\(form)"] else { continue }
      let rows = expected.shape[0]
      let mine = Tensor(shape: [rows, bases.count], scalars: Array(ours.scalars.prefix(rows * bases.count)))
      let m = Closeness.mismatch(mine, expected, rtol: 1e-6, atol: 1e-9)
      #expect(m == nil, "\(name) vs PyTorch \(form) form: \(m ?? "")")
      compared += 1
    }
    #expect(compared >= 1)
  }

  @Test("the scheduler's position restores exactly for checkpoint resume")
  func resume() throws {
    let schedule = LinearWarmupSchedule(epochs: 2, startFactor: 0.1, then: CosineAnnealingSchedule(tMax: 8, etaMin: 1e-4))
    let bases: [Float] = [0.1, 0.02]
    let reference = Self.run(schedule, bases: bases, epochs: 10)

    let opt = Self.optimizer(bases)
    let first = LearningRateScheduler(schedule, optimizer: opt)
    for _ in 0..<4 { first.step() }
    let data = try JSONEncoder().encode(first.state)

    let resumedOpt = Self.optimizer(bases)
    let second = LearningRateScheduler(schedule, optimizer: resumedOpt)
    #expect(resumedOpt.groups[0].learningRate == reference.scalars[0])
    try second.restore(try JSONDecoder().decode(LearningRateScheduler.State.self, from: data))
    #expect(second.epoch == 4)
    for e in 4..<10 {
      #expect(resumedOpt.groups.map(\.learningRate) == Array(reference.scalars[(2 * e)..<(2 * e + 2)]), "epoch \(e)")
      second.step()
    }

    let other = LearningRateScheduler(StepSchedule(stepSize: 3), optimizer: Self.optimizer(bases))
    #expect(throws: OptimizerStateError.self) { try other.restore(first.state) }
    #expect(other.epoch == 0)
  }

  @Test("poly decay is the IAL formula and reaches zero at maxEpochs; constant keeps the base rate")
  func polyAndConstant() {
    let poly = PolynomialDecaySchedule(maxEpochs: 100)
    #expect(poly.power == 0.9)
    #expect(poly.learningRate(base: 1e-4, epoch: 0) == 1e-4)
    #expect(poly.learningRate(base: 1e-4, epoch: 100) == 0)
    #expect(poly.learningRate(base: 1e-4, epoch: 150) == 0)
    #expect(ConstantSchedule().learningRate(base: 0.3, epoch: 1000) == 0.3)
    #expect(LinearWarmupSchedule(epochs: 0, startFactor: 0.5, then: poly).learningRate(base: 1, epoch: 10)
      == poly.learningRate(base: 1, epoch: 10))
  }
}
