/// The coefficients of the primary-aware projections (``PrimaryAwareProjection``), exact from the
/// Gramian: with the primary gradient `g_P = Σ_{p∈P} g_p`, every auxiliary gradient `g_a` is
/// adjusted against `g_P` only, by adding `δ_a g_P`; the primary gradients are never changed. The
/// shared gradient `g_P + Σ_a (g_a + δ_a g_P)` is therefore `Σ_t w_t g_t` with `w_a = 1` and
/// `w_p = 1 + Σ_a δ_a`.
public enum PrimaryProjectionSolver {
  /// `⟨g_a, g_P⟩` for every task and `‖g_P‖²`.
  static func primaryProducts(_ k: [[Double]], primaries: [Int]) -> (withPrimary: [Double], primaryNormSquared: Double) {
    let with = k.indices.map { a in primaries.reduce(0.0) { $0 + k[a][$1] } }
    let pp = primaries.reduce(0.0) { $0 + with[$1] }
    return (with, pp)
  }

  /// PCGrad against the primary: `δ_a = −⟨g_a, g_P⟩ / ‖g_P‖²` when `⟨g_a, g_P⟩ < 0`, else 0.
  /// Returns the weights `w` and the indices of the projected auxiliaries.
  public static func pcgradWeights(gramian k: [[Double]], primaries: [Int]) -> (weights: [Double], projected: [Int]) {
    let (with, pp) = primaryProducts(k, primaries: primaries)
    let primarySet = Set(primaries)
    var w = [Double](repeating: 1, count: k.count)
    var projected: [Int] = []
    guard pp > 0 else { return (w, []) }
    var delta = 0.0
    for a in k.indices where !primarySet.contains(a) && with[a] < 0 {
      delta -= with[a] / pp
      projected.append(a)
    }
    for p in primaries { w[p] += delta }
    return (w, projected)
  }

  /// GradVac against the primary with per-auxiliary target similarities `φ̂_a` (EMA rate β):
  /// with `φ = cos(g_a, g_P)`, if `φ < φ̂_a` then
  /// `δ_a = ‖g_a‖ (φ̂_a √(1 − φ²) − φ √(1 − φ̂_a²)) / (‖g_P‖ √(1 − φ̂_a²))`; then
  /// `φ̂_a ← (1 − β) φ̂_a + β φ`. Auxiliaries with a zero gradient (or a zero primary gradient,
  /// or `|φ̂_a| = 1`) are skipped, EMA included. Returns the weights, the adjusted auxiliaries and
  /// the number skipped.
  public static func gradvacWeights(
    gramian k: [[Double]], primaries: [Int], targets: inout [Double], beta: Double
  ) -> (weights: [Double], adjusted: [Int], skipped: Int) {
    let (with, pp) = primaryProducts(k, primaries: primaries)
    let primarySet = Set(primaries)
    let auxiliaries = k.indices.filter { !primarySet.contains($0) }
    precondition(targets.count == auxiliaries.count, "PrimaryProjectionSolver.gradvacWeights: \(targets.count) targets for \(auxiliaries.count) auxiliary tasks")
    var w = [Double](repeating: 1, count: k.count)
    var adjusted: [Int] = []
    var skipped = 0
    var delta = 0.0
    for (i, a) in auxiliaries.enumerated() {
      let target = targets[i]
      guard pp > 0, k[a][a] > 0, abs(target) < 1 else {
        skipped += 1
        continue
      }
      let na = k[a][a].squareRoot()
      let np = pp.squareRoot()
      let phi = Swift.min(Swift.max(with[a] / (na * np), -1), 1)
      if phi < target {
        let root = (1 - target * target).squareRoot()
        delta += na * (target * (1 - phi * phi).squareRoot() - phi * root) / (np * root)
        adjusted.append(a)
      }
      targets[i] = (1 - beta) * target + beta * phi
    }
    for p in primaries { w[p] += delta }
    return (w, adjusted, skipped)
  }
}
