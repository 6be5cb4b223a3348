/// GradVac's gradient vaccine (Wang, Tsvetkov, Firat, Cao, "Gradient Vaccine: Investigating and
/// Improving Multi-task Optimization in Massively Multilingual Models", ICLR 2021),
/// whole-model granularity, computed exactly from the Gramian.
///
/// For each task i: `g_i^pc ← g_i`; for every other task j in a random order:
/// `φ = cos(g_i^pc, g_j)`; if `φ < φ̂_ij`,
/// `g_i^pc += ‖g_i^pc‖ (φ̂ √(1−φ²) − φ √(1−φ̂²)) / (‖g_j‖ √(1−φ̂²)) · g_j`; then (always, as in
/// the paper's Algorithm 1 and the spec) `φ̂_ij ← (1−β) φ̂_ij + β φ`. The shared gradient is
/// `Σ_i g_i^pc`. Like PCGrad, every `g_i^pc` is a combination of the original gradients, so this
/// runs on the Gramian and returns weights. LibMTL 1.1.5 updates `φ̂` only inside the `if`; the
/// reference's `+1e-8` guards are replaced by skipping a pair where a norm is zero (no update,
/// no EMA step) or where `φ̂² = 1`.
public enum GradVacSolver {
  /// The weights of `Σ_i g_i^pc` and the number of skipped pairs; updates the targets `φ̂`.
  ///
  /// - Parameters:
  ///   - orders: `orders[i]` lists the tasks task i is adjusted against; entries equal to i are
  ///     skipped.
  ///   - targets: `φ̂`, `T × T` (row i, column j), updated in place.
  ///   - beta: the EMA rate β.
  public static func weights(gramian k: [[Double]], orders: [[Int]], targets: inout [[Double]], beta: Double) -> (weights: [Double], skippedPairs: Int) {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "GradVacSolver.weights: Gramian must be square and non-empty, got \(n) rows")
    precondition(orders.count == n && targets.count == n && targets.allSatisfy { $0.count == n }, "GradVacSolver.weights: orders (\(orders.count)) and targets (\(targets.count) rows) must match \(n) tasks")
    var total = [Double](repeating: 0, count: n)
    var skipped = 0
    for i in 0..<n {
      var w = [Double](repeating: 0, count: n)
      w[i] = 1
      for j in orders[i] where j != i {
        let kw = SymmetricMatrix.multiply(k, w)
        let ni2 = zip(w, kw).reduce(0) { $0 + $1.0 * $1.1 }
        let nj2 = k[j][j]
        guard ni2 > 0, nj2 > 0 else {
          skipped += 1
          continue
        }
        let ni = ni2.squareRoot()
        let nj = nj2.squareRoot()
        let phi = min(max(kw[j] / (ni * nj), -1), 1)
        let target = targets[i][j]
        if phi < target {
          let rootT = max(1 - target * target, 0).squareRoot()
          guard rootT > 0 else {
            skipped += 1
            continue
          }
          let rootP = max(1 - phi * phi, 0).squareRoot()
          w[j] += ni * (target * rootP - phi * rootT) / (nj * rootT)
        }
        targets[i][j] = (1 - beta) * target + beta * phi
      }
      for t in 0..<n { total[t] += w[t] }
    }
    return (total, skipped)
  }
}
