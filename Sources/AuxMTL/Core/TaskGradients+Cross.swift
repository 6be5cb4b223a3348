import AuxEngine

extension TaskGradients {
  /// The cross product `A[i][j] = ⟨g_i, h_j⟩` of these gradients with another set of the same
  /// shape (two independent batches' Jacobians, `J₁ J₂ᵀ` in MoDo and SDMGrad), accumulated by
  /// sgemm and returned in Double. Not symmetric in general.
  public func crossGramian(_ other: TaskGradients) -> [[Double]] {
    precondition(
      other.taskCount == taskCount && other.dimension == dimension,
      "TaskGradients.crossGramian: [\(taskCount), \(dimension)] with [\(other.taskCount), \(other.dimension)]")
    let t = taskCount
    let d = dimension
    var k = [Float](repeating: 0, count: t * t)
    matrix.withUnsafeBufferPointer { a in
      other.matrix.withUnsafeBufferPointer { b in
        k.withUnsafeMutableBufferPointer { kp in
          BLAS.sgemm(transA: false, transB: true, m: t, n: t, k: d, alpha: 1, a: a.baseAddress!, lda: d, b: b.baseAddress!, ldb: d, beta: 0, c: kp.baseAddress!, ldc: t)
        }
      }
    }
    return (0..<t).map { i in (0..<t).map { j in Double(k[i * t + j]) } }
  }
}
