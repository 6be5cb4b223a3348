import AuxEngine

/// PCGrad's projections (Yu et al., "Gradient Surgery for Multi-Task Learning", NeurIPS 2020),
/// computed exactly from the Gramian.
///
/// For each task i: `g_i^pc ← g_i`; for every other task j in a random order, if
/// `g_i^pc · g_j < 0` then `g_i^pc ← g_i^pc − (g_i^pc · g_j / ‖g_j‖²) g_j` (projection against the
/// *original* `g_j`). The shared gradient is `Σ_i g_i^pc`. Every `g_i^pc` stays a linear
/// combination `Σ_k w_k g_k` of the original gradients, and `g_i^pc · g_j = (K w)_j`, so the
/// whole procedure runs on the T×T Gramian and returns the weights of `Σ_i g_i^pc` (torchjd's
/// `PCGradWeighting` does the same). j = i is skipped, as in the spec and torchjd (LibMTL and
/// the original code also visit j = i, which matters only once `g_i^pc` has turned against `g_i`).
public enum PCGradSolver {
  /// The weights of `Σ_i g_i^pc` given each task's projection order.
  ///
  /// - Parameter orders: `orders[i]` lists the tasks task i is projected against, in order;
  ///   entries equal to i are skipped. A task with a zero gradient is never projected against.
  public static func weights(gramian k: [[Double]], orders: [[Int]]) -> [Double] {
    let n = k.count
    precondition(n > 0 && k.allSatisfy { $0.count == n }, "PCGradSolver.weights: Gramian must be square and non-empty, got \(n) rows")
    precondition(orders.count == n, "PCGradSolver.weights: \(orders.count) orders for \(n) tasks")
    var total = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var w = [Double](repeating: 0, count: n)
      w[i] = 1
      for j in orders[i] where j != i {
        precondition(j >= 0 && j < n, "PCGradSolver.weights: task index \(j) out of range 0..<\(n)")
        guard k[j][j] > 0 else { continue }
        var inner = 0.0
        for q in 0..<n { inner += w[q] * k[q][j] }
        if inner < 0 { w[j] -= inner / k[j][j] }
      }
      for t in 0..<n { total[t] += w[t] }
    }
    return total
  }

  /// One independent random order of the other tasks per task (Fisher–Yates with `rng`).
  public static func randomOrders(taskCount n: Int, using rng: inout RandomGenerator) -> [[Int]] {
    (0..<n).map { i in
      var others = (0..<n).filter { $0 != i }
      rng.shuffle(&others)
      return others
    }
  }
}
