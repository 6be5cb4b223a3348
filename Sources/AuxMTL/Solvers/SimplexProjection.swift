/// Euclidean projection onto the probability simplex `{w : w ≥ 0, Σ w = 1}` (the sort-based
/// algorithm of Held, Wolfe, Crowder 1974 / Duchi et al. 2008), as MoDo and SDMGrad use for their
/// task weights.
public enum SimplexProjection {
  /// `argmin_{w ∈ Δ} ‖w − v‖`.
  public static func project(_ v: [Double]) -> [Double] {
    precondition(!v.isEmpty, "SimplexProjection.project: empty vector")
    let u = v.sorted(by: >)
    var cumulative = 0.0
    var theta = 0.0
    for (i, x) in u.enumerated() {
      cumulative += x
      let candidate = (cumulative - 1) / Double(i + 1)
      if x - candidate > 0 { theta = candidate }
    }
    return v.map { Swift.max($0 - theta, 0) }
  }
}
