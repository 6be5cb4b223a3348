import AuxEngine
import AuxMTL
import Foundation
import Testing

/// Property tests over generated hard geometries (issue 17, part 2): rank-deficient, duplicate
/// rows, one or more zero rows, rows scaled 1e-4 … 1e4, near-parallel rows and strongly
/// conflicting rows, T from 2 to 40 and d from 3 to 10⁴. Each gradient method's solver runs on the
/// Double Gramian of Float32 rows (`TaskGradients.gramian()`, the training path), and the test
/// checks the method's *defining conditions*, recomputed in Double from the rows themselves:
/// KKT of MGDA's min-norm problem and of CAGrad's dual, PCGrad's non-conflict after projection,
/// IMTL-G's equal projections, UPGrad's dual-cone condition and Nash-MTL's bargaining equations.
/// The certified exact reference values for fixed hard cases are in ``HardGeometryTests``.
@Suite("Geometry stress")
struct GeometryStressTests {
  /// One generated Jacobian.
  struct Geometry: CustomStringConvertible, Sendable {
    var kind: String
    var seed: UInt64
    /// Float32 rows, as the training step has them.
    var rows: [[Float]]
    var description: String { "\(kind) T=\(rows.count) d=\(rows[0].count) seed \(seed)" }
    /// The rows in Double (exact copies).
    var exact: [[Double]] { rows.map { $0.map(Double.init) } }
    /// The Double Gramian as the step computes it.
    var gramian: [[Double]] {
      TaskGradients(level: .parameters, matrix: Tensor(shape: [rows.count, rows[0].count], scalars: rows.flatMap { $0 })).gramian()
    }
  }

  static let kinds = ["random", "rank-deficient", "duplicate", "zero-rows", "scaled", "near-parallel", "conflicting", "scaled-conflicting"]
  static let sizes: [(t: Int, d: Int)] = [(2, 3), (3, 7), (5, 3), (4, 10), (10, 12), (20, 100), (40, 60), (6, 10_000), (40, 2_000), (3, 1_000)]

  /// Every kind at every size: 80 Jacobians, seeded by their index.
  static let cases: [Geometry] = {
    var out = [Geometry]()
    for (s, size) in sizes.enumerated() {
      for (k, kind) in kinds.enumerated() {
        let seed = UInt64(1000 + 17 * s + k)
        out.append(make(kind, t: size.t, d: size.d, seed: seed))
      }
    }
    return out
  }()

  static func make(_ kind: String, t: Int, d: Int, seed: UInt64) -> Geometry {
    var rng = RandomGenerator(seed: seed)
    func normal(_ n: Int) -> [Double] { (0..<n).map { _ in Double(rng.nextNormal()) } }
    func unit(_ n: Int) -> [Double] {
      let v = normal(n)
      let s = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      return v.map { $0 / s }
    }
    var rows: [[Double]]
    switch kind {
    case "rank-deficient":
      // Rank r < min(T, d): rows are combinations of r random directions.
      let r = max(1, min(t, d) - 1 - rng.nextInt(below: max(1, min(t, d) / 2)))
      let basis = (0..<r).map { _ in normal(d) }
      rows = (0..<t).map { _ in
        let c = normal(r)
        return (0..<d).map { i in (0..<r).reduce(0.0) { $0 + c[$1] * basis[$1][i] } }
      }
    case "duplicate":
      rows = (0..<t).map { _ in normal(d) }
      for i in 1..<t where rng.nextInt(below: 2) == 0 { rows[i] = rows[rng.nextInt(below: i)] }
      rows[t - 1] = rows[0]
    case "zero-rows":
      rows = (0..<t).map { _ in normal(d) }
      let zeros = 1 + rng.nextInt(below: max(1, t - 1))
      for i in 0..<zeros { rows[(i * 7 + 1) % t] = [Double](repeating: 0, count: d) }
    case "scaled":
      rows = (0..<t).map { i in
        let e = t == 1 ? 0 : -4 + 8 * Double(i) / Double(t - 1)
        let scale = pow(10.0, e)
        return unit(d).map { $0 * scale }
      }
    case "near-parallel":
      let v = unit(d)
      rows = (0..<t).map { _ in
        let s = 0.5 + 2.5 * rng.nextUniformDouble()
        return normal(d).enumerated().map { (v[$0.offset] + 1e-3 * $0.element) * s }
      }
    case "conflicting", "scaled-conflicting":
      // Rows minus (almost) their mean: strongly negative cosines, 0 near the hull.
      let v = (0..<t).map { _ in normal(d) }
      let mean = (0..<d).map { i in v.reduce(0.0) { $0 + $1[i] } / Double(t) }
      let small = normal(d)
      rows = v.map { r in (0..<d).map { r[$0] - mean[$0] + 0.05 * small[$0] } }
      if kind == "scaled-conflicting" {
        for i in rows.indices {
          let exponent: Double = -2 + 4 * Double(i) / Double(max(1, t - 1))
          let scale = pow(10.0, exponent)
          rows[i] = rows[i].map { $0 * scale }
        }
      }
    default:
      rows = (0..<t).map { _ in normal(d) }
    }
    return Geometry(kind: kind, seed: seed, rows: rows.map { $0.map(Float.init) })
  }

  // MARK: - helpers in Double, from the rows

  static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
  static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
  static func combine(_ j: [[Double]], _ w: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: j[0].count)
    for (t, row) in j.enumerated() where w[t] != 0 { for i in row.indices { out[i] += w[t] * row[i] } }
    return out
  }

  // MARK: - MGDA

  @Test("MGDA's min-norm point meets its KKT conditions (scale-free residual ≤ 1e-7) and reports a converged solve", arguments: cases)
  func minNormKKT(g: Geometry) {
    let j = g.exact
    let sol = MinNormSolver.exact(gramian: g.gramian)
    let a = sol.weights
    #expect(a.allSatisfy { $0 >= 0 } && abs(a.reduce(0, +) - 1) <= 1e-12, "\(g): weights \(a)")
    let x = Self.combine(j, a)
    let xx = Self.dot(x, x)
    let xn = xx.squareRoot()
    let spread = zip(a, j).reduce(0) { $0 + $1.0 * Self.norm($1.1) }
    let floor = max(xn, 1e-6 * spread)
    var worst = 0.0
    for (t, row) in j.enumerated() {
      let gap = Self.dot(x, row) - xx
      let violation = a[t] > 0 ? abs(gap) : max(-gap, 0)
      let size = (Self.norm(row) + xn) * floor
      if size > 0 { worst = max(worst, violation / size) }
    }
    #expect(worst <= 1e-7, "\(g): KKT residual \(worst)")
    #expect(sol.converged, "\(g): \(sol.residual)")
  }

  // MARK: - CAGrad

  @Test("CAGrad's dual meets its KKT conditions, and a zero direction only where g_w* cancels", arguments: cases)
  func cagradKKT(g: Geometry) {
    let j = g.exact
    let t = Double(j.count)
    let c = 0.4
    let sol = CAGradSolver.solve(gramian: g.gramian, c: c)
    let w = sol.simplexWeights
    #expect(w.allSatisfy { $0 >= 0 } && abs(w.reduce(0, +) - 1) <= 1e-12, "\(g): weights \(w)")
    let g0 = Self.combine(j, [Double](repeating: 1 / t, count: j.count))
    let gw = Self.combine(j, w)
    let gwn = Self.norm(gw)
    let spread = zip(w, j).reduce(0) { $0 + $1.0 * Self.norm($1.1) }
    if sol.onParetoFront {
      #expect(gwn <= 1e-4 * spread * (1 + 1e-9), "\(g): zero direction but ‖g_w‖ = \(gwn), Σ w‖g‖ = \(spread)")
      #expect(sol.directionWeights.allSatisfy { $0 == 0 })
      return
    }
    let rho = c * Self.norm(g0)
    let grad = j.map { Self.dot($0, g0) + rho * Self.dot($0, gw) / gwn }
    let level = Self.dot(w, grad)
    var worst = 0.0
    for (i, row) in j.enumerated() {
      let size = Self.norm(row) * (Self.norm(g0) + rho)
      guard size > 0 else { continue }
      let gap = grad[i] - level
      worst = max(worst, (w[i] > 0 ? abs(gap) : max(-gap, 0)) / size)
    }
    #expect(worst <= 1e-6, "\(g): dual KKT residual \(worst)")
    #expect(sol.converged, "\(g): \(sol.status().summary)")
    // The direction is g₀ + (ρ/‖g_w‖) g_w.
    let d = Self.combine(j, sol.directionWeights)
    let expected = zip(g0, gw).map { $0 + rho / gwn * $1 }
    #expect(Self.norm(zip(d, expected).map { $0 - $1 }) <= 1e-9 * (Self.norm(g0) + rho), "\(g)")
  }

  // MARK: - PCGrad

  @Test("PCGrad: each projected gradient does not conflict with the last gradient it was projected against", arguments: cases)
  func pcgradNonConflict(g: Geometry) {
    let j = g.exact
    let k = g.gramian
    let n = j.count
    var rng = RandomGenerator(seed: g.seed)
    let orders = PCGradSolver.randomOrders(taskCount: n, using: &rng)
    let total = PCGradSolver.weights(gramian: k, orders: orders)
    for i in 0..<n {
      // g_i^pc's weights: the total minus the total with task i left unprojected, plus e_i.
      var without = orders
      without[i] = []
      let rest = PCGradSolver.weights(gramian: k, orders: without)
      var wi = zip(total, rest).map { $0 - $1 }
      wi[i] += 1
      let pc = Self.combine(j, wi)
      guard let last = orders[i].last(where: { $0 != i && Self.norm(j[$0]) > 0 }) else { continue }
      let inner = Self.dot(pc, j[last])
      // Projection leaves ⟨g_i^pc, g_last⟩ ≥ 0 (exactly 0 after a projection), up to the rounding
      // of the sums that make up g_i^pc (and of the differencing above): relative to the size of
      // their terms, which exceeds ‖g_i^pc‖ when the projections cancel (rows scaled 1e-4 … 1e4).
      let terms = (0..<n).reduce(0.0) { $0 + (abs(wi[$1]) + abs(total[$1]) + abs(rest[$1])) * Self.norm(j[$1]) }
      let scale = terms * Self.norm(j[last])
      let cosine = inner / (Self.norm(pc) * Self.norm(j[last]) + 1e-300)
      #expect(inner >= -1e-12 * scale, "\(g): task \(i) against \(last): cosine \(cosine), ⟨g_i^pc, g_last⟩ \(inner) at a scale of \(scale)")
    }
  }

  // MARK: - IMTL-G

  @Test("IMTL-G: Σα = 1 and equal projections on every unit gradient whenever the solve reports no fallback", arguments: cases)
  func imtlgEqualProjections(g: Geometry) {
    let j = g.exact
    let k = g.gramian
    guard let a = IMTLGSolver.weights(gramian: k) else {
      #expect(j.allSatisfy { Self.norm($0) == 0 }, "\(g): no IMTL-G weights")
      return
    }
    #expect(abs(a.reduce(0, +) - 1) <= 1e-9, "\(g)")
    for (t, row) in j.enumerated() where Self.norm(row) == 0 { #expect(a[t] == 0, "\(g): zero row \(t)") }
    let status = IMTLGSolver.status(gramian: k, weights: a)
    let x = Self.combine(j, a)
    let p = j.filter { Self.norm($0) > 0 }.map { Self.dot(x, $0) / Self.norm($0) }
    let spread = Self.norm(x) > 0 ? (p.max()! - p.min()!) / Self.norm(x) : 0
    // Linearly independent rows (generic rows with T ≤ d): an equal-projection direction exists
    // and must be found to rounding.
    let independent = ["random", "scaled", "near-parallel", "conflicting", "scaled-conflicting"].contains(g.kind) && j.count <= j[0].count
    if independent {
      #expect(status.fallback == nil && spread <= 1e-8, "\(g): projections spread \(spread), \(status.summary)")
    }
    // Dependent rows: the status must tell the truth about the condition.
    if status.fallback == nil {
      #expect(spread <= 1e-5, "\(g): no fallback reported but projections spread \(spread)")
    } else {
      #expect(spread > 1e-7, "\(g): fallback reported but projections spread \(spread)")
    }
  }

  // MARK: - UPGrad

  @Test("UPGrad: the aggregate lies in the dual cone of the (regularised) gradients, and the solve says so", arguments: cases)
  func upgradDualCone(g: Geometry) {
    let j = g.exact
    let k = g.gramian
    let (a, residual) = UPGradSolver.solve(gramian: k)
    let x = Self.combine(j, a)
    let trace = j.reduce(0) { $0 + Self.dot($1, $1) }
    // torchjd's UPGrad projects onto the dual cone of K / trace + reg I: ⟨x, g_t⟩ / trace + reg α_t ≥ 0.
    let reg = 1e-4
    let xn = (Self.dot(x, x) / trace + reg * Self.dot(a, a)).squareRoot()
    for (t, row) in j.enumerated() {
      let value = Self.dot(x, row) / trace + reg * a[t]
      let size = (Self.dot(row, row) / trace + reg).squareRoot() * xn
      #expect(value >= -1e-9 * size, "\(g): task \(t): \(value / size)")
    }
    #expect(residual <= 1e-8, "\(g): residual \(residual)")
  }

  // MARK: - Nash-MTL

  @Test("Nash-MTL: when the solve converges, (Kα)_t = 1/α_t for every non-zero task and zero tasks get 0", arguments: cases)
  func nashBargaining(g: Geometry) {
    let j = g.exact
    let sol = NashMTLSolver.solve(gramian: g.gramian)
    let a = sol.weights
    for (t, row) in j.enumerated() where Self.norm(row) == 0 { #expect(a[t] == 0 && sol.zeroTasks.contains(t), "\(g)") }
    guard sol.converged else {
      // No solution exists only when K has a non-negative null vector: 0 in the hull of the
      // non-zero rows, so their min-norm point is 0 to the Gramian's resolution.
      let active = j.filter { Self.norm($0) > 0 }
      let m = MinNormSolver.exact(gramian: g.gramian.enumerated().filter { Self.norm(j[$0.offset]) > 0 }.map { r in r.element.enumerated().filter { Self.norm(j[$0.offset]) > 0 }.map(\.element) })
      let x = Self.combine(active, m.weights)
      let spread = zip(m.weights, active).reduce(0) { $0 + $1.0 * Self.norm($1.1) }
      #expect(Self.norm(x) <= 1e-6 * spread, "\(g): Nash did not converge but 0 is not in the hull (min norm \(Self.norm(x)), scale \(spread))")
      return
    }
    let x = Self.combine(j, a)
    for (t, row) in j.enumerated() where Self.norm(row) > 0 {
      let lhs = Self.dot(x, row) * a[t]
      #expect(abs(lhs - 1) <= 1e-6, "\(g): task \(t): α_t (Kα)_t = \(lhs)")
    }
  }
}
