import AuxEngine

extension TaskGradients {
  /// The cross product `A[i][j] = ⟨g_i, h_j⟩` of these gradients with another set of the same
  /// shape (two independent batches' Jacobians, `J₁ J₂ᵀ` in MoDo and SDMGrad), computed in Double
  /// like ``gramian()`` (block-wise conversion, `dgemm`). Not symmetric in general.
  public func crossGramian(_ other: TaskGradients) -> [[Double]] {
    precondition(
      other.taskCount == taskCount && other.dimension == dimension,
      "TaskGradients.crossGramian: [\(taskCount), \(dimension)] with [\(other.taskCount), \(other.dimension)]")
    let t = taskCount
    let d = dimension
    var k = [Double](repeating: 0, count: t * t)
    if t > 0 && d > 0 {
      let width = Self.blockWidth(rows: 2 * t, columns: d)
      let a = UnsafeMutablePointer<Double>.allocate(capacity: t * width)
      let b = UnsafeMutablePointer<Double>.allocate(capacity: t * width)
      defer {
        a.deallocate()
        b.deallocate()
      }
      matrix.withUnsafeBufferPointer { ga in
        other.matrix.withUnsafeBufferPointer { gb in
          k.withUnsafeMutableBufferPointer { kp in
            var c0 = 0
            while c0 < d {
              let w = min(width, d - c0)
              for r in 0..<t {
                let sa = ga.baseAddress! + r * d + c0
                let sb = gb.baseAddress! + r * d + c0
                for j in 0..<w {
                  a[r * w + j] = Double(sa[j])
                  b[r * w + j] = Double(sb[j])
                }
              }
              BLAS.dgemm(transA: false, transB: true, m: t, n: t, k: w, alpha: 1, a: a, lda: w, b: b, ldb: w, beta: c0 == 0 ? 0 : 1, c: kp.baseAddress!, ldc: t)
              c0 += w
            }
          }
        }
      }
    }
    return (0..<t).map { i in (0..<t).map { j in k[i * t + j] } }
  }
}
