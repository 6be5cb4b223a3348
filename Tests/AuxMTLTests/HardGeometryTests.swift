import AuxEngine
import AuxIO
import AuxMTL
import AuxTestSupport
import Testing

/// MGDA's min-norm point and CAGrad's direction on hard Jacobians (rank-deficient, zero rows, rows
/// scaled 1e-4 … 1e4, strongly conflicting; issue 17) against the certified exact references of
/// `scripts/fixtures/mtl_hard_geometry.py`, and torchjd's UPGrad / IMTL-G aggregates.
@Suite("Hard geometry")
struct HardGeometryTests {
  static let archive: SafetensorsArchive = try! Fixtures.load("mtl_hard_geometry")
  static func vector(_ name: String) -> [Double] { try! archive.tensor(name, file: "mtl_hard_geometry").scalars.map(Double.init) }
  static let caseCount = Int(vector("case_count")[0])
  static func jacobian(_ k: Int) -> [[Double]] { GradientFixtures.rows(try! archive.tensor("c\(k)/jacobian", file: "mtl_hard_geometry")) }

  /// `‖a − e‖ / max(‖e‖, 1e-6 · max_t ‖g_t‖)`: relative, floored where the reference is (near) zero.
  static func error(_ a: [Double], _ e: [Double], rows: [[Double]]) -> Double {
    let top = rows.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }.max()!
    let en = e.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let diff = zip(a, e).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    return diff / max(en, 1e-6 * top)
  }

  @Test("exact min-norm point (Double Gramian) within 1e-4 of the certified reference", arguments: 0..<16)
  func minNormExact(k: Int) {
    let j = Self.jacobian(k)
    let x = combine(j, MinNormSolver.exact(gramian: gramian(j)).weights)
    let e = Self.error(x, Self.vector("c\(k)/minnorm"), rows: j)
    print("HARD minnorm-exact c\(k) \(e)")
    #expect(e <= 1e-4, "case \(k): \(e)")
  }

  @Test("mgda (default options) through a step within 1e-4 of the certified min-norm point", arguments: 0..<16)
  func mgdaDefault(k: Int) throws {
    let j = Self.jacobian(k)
    let p = JacobianProblem(rows: j.map { $0.map(Float.init) })
    try p.run(try MethodRegistry.make("mgda", tasks: p.tasks))
    let e = Self.error(p.encoderGrad, Self.vector("c\(k)/minnorm"), rows: j)
    print("HARD mgda-default c\(k) \(e)")
    #expect(e <= 1e-4, "case \(k): \(e)")
  }

  @Test("CAGrad's direction (Double Gramian) within 1e-4 of the exact dual's", arguments: 0..<16)
  func cagrad(k: Int) {
    let j = Self.jacobian(k)
    for c in [0.4, 0.8] {
      let w = CAGradSolver.solve(gramian: gramian(j), c: c).directionWeights
      let e = Self.error(combine(j, w), Self.vector("c\(k)/cagrad_c\(c)"), rows: j)
      print("HARD cagrad c\(k) c=\(c) \(e)")
      #expect(e <= 1e-4, "case \(k), c \(c): \(e)")
    }
  }

  @Test("UPGrad and IMTL-G aggregates agree with torchjd", arguments: 0..<16)
  func torchjd(k: Int) {
    let j = Self.jacobian(k)
    let g = gramian(j)
    let u = Self.error(combine(j, UPGradSolver.weights(gramian: g)), Self.vector("c\(k)/upgrad"), rows: j)
    print("HARD upgrad c\(k) \(u)")
    #expect(u <= 1e-4, "upgrad case \(k): \(u)")
    if let w = IMTLGSolver.weights(gramian: g) {
      let i = Self.error(combine(j, w), Self.vector("c\(k)/imtlg"), rows: j)
      print("HARD imtlg c\(k) \(i)")
    }
  }

  @Test("mgda with solver = exact through a step (Float32 Gramian) within 1e-4 of the certified min-norm point", arguments: 0..<16)
  func mgdaExactStep(k: Int) throws {
    let j = Self.jacobian(k)
    let p = JacobianProblem(rows: j.map { $0.map(Float.init) })
    try p.run(try MethodRegistry.make("mgda", tasks: p.tasks, options: ["solver": "exact"]))
    let e = Self.error(p.encoderGrad, Self.vector("c\(k)/minnorm"), rows: j)
    print("HARD mgda-exact-step c\(k) \(e)")
    #expect(e <= 1e-4, "case \(k): \(e)")
  }

  @Test("cagrad through a step (Float32 Gramian; shared gradient T·d/(1+c²)) within 1e-4 of the exact direction", arguments: 0..<16)
  func cagradStep(k: Int) throws {
    let j = Self.jacobian(k)
    let t = Double(j.count)
    let p = JacobianProblem(rows: j.map { $0.map(Float.init) })
    try p.run(try MethodRegistry.make("cagrad", tasks: p.tasks, options: ["c": "0.4"]))
    let expected = Self.vector("c\(k)/cagrad_c0.4").map { $0 * t / (1 + 0.16) }
    let e = Self.error(p.encoderGrad, expected, rows: j.map { $0.map { $0 * t } })
    print("HARD cagrad-step c\(k) \(e)")
    #expect(e <= 1e-4, "case \(k): \(e)")
  }
}
