import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import AuxTestSupport
import Testing

/// Reference values of `scripts/fixtures/mtl_recent_methods.py` (LibMTL's classes, torchjd's
/// weightings, SciPy, torch replicas) on the ``LossFixtureProblem``.
enum RecentMethodsFixture {
  static let archive: SafetensorsArchive = try! Fixtures.load("mtl_recent_methods")

  static func tensor(_ name: String) throws -> Tensor { try archive.tensor(name, file: "mtl_recent_methods") }
  static func has(_ name: String) -> Bool { archive.tensors[name] != nil }

  /// Runs `steps` SGD steps (lr 0.1, as the fixture) of `method` on a fresh fixture problem and
  /// checks every parameter's gradient against `<prefix>.step<k>.grad.<name>`, and the reported
  /// weights against `<prefix>.step<k>.weight` where the fixture has them (and `checkWeights`).
  @discardableResult
  static func check(
    _ method: any WeightingMethod, prefix: String, steps: Int, epochs: [Int]? = nil, checkWeights: Bool = true,
    rtol: Float = 1e-4, atol: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> [StepReport] {
    let problem = try LossFixtureProblem()
    let opt = problem.sgd(lr: 0.1)
    var reports: [StepReport] = []
    for k in 0..<steps {
      opt.zeroGrad()
      let step = try problem.makeStep(optimizer: opt, epoch: epochs?[k] ?? 0, iteration: k)
      let report = try method.backward(step)
      reports.append(report)
      for (name, p) in problem.named {
        let e = try tensor("\(prefix).step\(k).grad.\(name)")
        let g = p.grad ?? Tensor.zeros(p.shape)
        let m = Closeness.mismatch(g, e, rtol: rtol, atol: atol)
        #expect(m == nil, "\(prefix) step \(k) \(name): \(m ?? "")", sourceLocation: sourceLocation)
      }
      if checkWeights && has("\(prefix).step\(k).weight") {
        expectClose(report.perTask("weight"), try tensor("\(prefix).step\(k).weight"), rtol: rtol, atol: atol, "\(prefix) step \(k) weights", sourceLocation: sourceLocation)
      }
      opt.step()
      try method.afterOptimizerStep(step)
    }
    return reports
  }
}
