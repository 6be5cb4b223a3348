import AuxEngine
import AuxMTL
import AuxNN
import Testing

/// GCS against the vector formulas (numpy) on the fixture Jacobians and on the linear problem.
@Suite("GCS")
struct GCSTests {
  static func tasks(_ n: Int, primaries: Int) -> [TaskInfo] {
    (0..<n).map { TaskInfo("t\($0)", role: $0 < primaries ? .primary : .auxiliary) }
  }

  @Test("hard and weighted variants, one or two primaries, equal the vector formulas", arguments: 0..<GradientFixtures.caseCount)
  func formulas(k: Int) {
    let j = GradientFixtures.jacobian(k)
    for (primaries, suffix) in [(1, "p0"), (2, "p01")] where j.count > primaries {
      for weighted in [false, true] {
        let w = GradientCosineSimilarity.weights(gramian: gramian(j), tasks: Self.tasks(j.count, primaries: primaries), weighted: weighted).weights
        let key = "case\(k)/gcs_\(weighted ? "weighted" : "hard")_\(suffix)"
        #expect(agree(combine(j, w), GradientFixtures.vector(GradientFixtures.solver(key)), rtol: 1e-5), "\(key)")
      }
    }
  }

  @Test("method at the parameter level: hard and weighted", arguments: ["hard", "weighted"])
  func method(variant: String) throws {
    let p = LinearTaskProblem()
    let report = try MethodRegistry.make("gcs", tasks: p.tasks, options: ["variant": variant]).backward(p.makeStep())
    #expect(agree(p.encoderGrad, GradientFixtures.vector(GradientFixtures.method("gcs_\(variant)/encoder_grad"))))
    #expect(report.values["cosine/a"]! < 0 && report.values["cosine/b"]! > 0)
    #expect(report.values["weight/a"] == 0 && report.values["weight/p"] == 1)
  }

  @Test("GCS needs an auxiliary task")
  func auxiliaryOnly() {
    #expect(throws: MTLStepError.self) { try MethodRegistry.make("gcs", tasks: Self.tasks(2, primaries: 2)) }
  }
}
