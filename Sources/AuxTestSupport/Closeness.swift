import AuxEngine

/// Element-wise comparison of tensors with tolerances, reporting the worst element.
public enum Closeness {
  /// Compares `actual` with `expected`: each element must satisfy
  /// `|a − e| ≤ atol + rtol·|e|`. Returns nil when they agree, or a message naming the shapes or the
  /// worst element.
  public static func mismatch(
    _ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5
  ) -> String? {
    guard actual.shape == expected.shape else {
      return "shape \(actual.shape) differs from expected \(expected.shape)"
    }
    let a = actual.scalars
    let e = expected.scalars
    var worst = -1
    var worstRatio: Float = 0
    for i in 0..<a.count {
      if a[i].isNaN != e[i].isNaN { return "element \(i): \(a[i]) vs expected \(e[i])" }
      if a[i].isNaN { continue }
      if a[i] == e[i] { continue }
      let r = Swift.abs(a[i] - e[i]) / (atol + rtol * Swift.abs(e[i]))
      if r > worstRatio || r.isNaN {
        worstRatio = r
        worst = i
      }
    }
    if worst >= 0 && (worstRatio > 1 || worstRatio.isNaN) {
      return "element \(worst) of \(a.count): \(a[worst]) vs expected \(e[worst]) (|diff| \(Swift.abs(a[worst] - e[worst])), tolerance \(atol + rtol * Swift.abs(e[worst])))"
    }
    return nil
  }

  /// Whether two tensors agree within tolerance.
  public static func isClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5) -> Bool {
    mismatch(actual, expected, rtol: rtol, atol: atol) == nil
  }
}
