import AuxEngine
import AuxNN
import AuxTestSupport
import AuxTraining
import Foundation
import Testing

/// `method.weight_decay`: the decay of the method's own parameters (IAL's log σ).
@Suite("Method parameters' weight decay")
struct MethodWeightDecayTests {
  /// The method group's decay, and whether an optimiser step with zero gradients on the method's
  /// parameters (none on the network) moved them: only decay can.
  static func decayOnlyStep(_ decay: Double?, optimizer: String) throws -> (decay: Float, moved: Bool) {
    let dir = try Fixtures.temporaryDirectory("method-decay")
    var c = TrainerTests.config(dir, method: "ial", epochs: 1)
    c.optimizer.name = optimizer
    c.optimizer.weightDecay = 1e-2
    c.method.weightDecay = decay
    let trainer = try RunBuilder.makeTrainer(c, networks: tinyNetworks)
    let group = try #require(trainer.optimizer.groups.first { $0.name == "method" })
    let sigma = trainer.method.parameters.map(\.parameter)
    #expect(!sigma.isEmpty && sigma.allSatisfy { $0.value.scalars.allSatisfy { $0 != 0 } })
    trainer.optimizer.zeroGrad()
    for p in sigma { p.grad = .zeros(p.shape) }
    let before = sigma.map(\.value.scalars)
    trainer.optimizer.step()
    return (group.weightDecay, sigma.map(\.value.scalars) != before)
  }

  @Test("none by default; set, the optimiser decays IAL's σ parameters", arguments: ["adam", "sgd", "adamw"])
  func switchChangesWhatIsDecayed(optimizer: String) throws {
    let off = try Self.decayOnlyStep(nil, optimizer: optimizer)
    #expect(off.decay == 0 && !off.moved)
    let on = try Self.decayOnlyStep(1e-4, optimizer: optimizer)
    #expect(on.decay == 1e-4 && on.moved)
  }

  @Test("method.weight_decay reads from YAML, writes back, and refuses a negative value")
  func config() throws {
    let c = try TrainConfig.parse(yaml: "method:\n  name: ial\n  weight_decay: 1.0e-4\n")
    #expect(c.method.weightDecay == 1e-4)
    #expect(try TrainConfig.parse(yaml: c.yaml()) == c)
    #expect(try TrainConfig.parse(yaml: "method:\n  name: ial\n").method.weightDecay == nil)
    #expect { try TrainConfig.parse(yaml: "method:\n  weight_decay: -1\n") } throws: { "\($0)".contains("method.weight_decay") }
  }
}
