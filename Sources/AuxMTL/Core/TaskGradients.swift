import AuxEngine

/// Where per-task gradients are taken.
public enum GradientLevel: String, Sendable, CaseIterable, Codable {
  /// With respect to the shared features `z` (whole batch tensor, flattened): one decoder backward
  /// pass gives all of them, and the combination costs one encoder backward (e.g. MGDA-UB, IAL).
  case representation
  /// With respect to the shared (encoder) parameters: one encoder backward per task.
  case parameters
}

/// The per-task gradients of one step as the rows of a `T × D` matrix `G`, at one ``GradientLevel``.
///
/// Most aggregators depend only on the Gramian `K = G Gᵀ` (computed once with one sgemm, in Float,
/// returned in Double for the small solvers) and return weights `w`, so the aggregated gradient is
/// `Gᵀ w` (``combine(_:)``).
public struct TaskGradients {
  /// Where the gradients were taken.
  public let level: GradientLevel
  /// `[T, D]`: row `t` is task `t`'s flattened gradient.
  public let matrix: Tensor

  public init(level: GradientLevel, matrix: Tensor) {
    precondition(matrix.rank == 2, "TaskGradients: matrix must be [T, D], got \(matrix.shape)")
    self.level = level
    self.matrix = matrix
  }

  /// Number of tasks `T`.
  public var taskCount: Int { matrix.shape[0] }
  /// Dimension `D` of each gradient.
  public var dimension: Int { matrix.shape[1] }

  /// Row `t` as a 1-D tensor (a copy).
  public func row(_ t: Int) -> Tensor {
    precondition(t >= 0 && t < taskCount, "TaskGradients.row: task \(t) out of range 0..<\(taskCount)")
    let d = dimension
    var out = Tensor.uninitialized([d])
    matrix.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        dst.baseAddress!.update(from: src.baseAddress! + t * d, count: d)
      }
    }
    return out
  }

  /// The Gramian `K[i][j] = ⟨g_i, g_j⟩`, accumulated by sgemm and returned in Double.
  public func gramian() -> [[Double]] {
    let t = taskCount
    let d = dimension
    var k = [Float](repeating: 0, count: t * t)
    matrix.withUnsafeBufferPointer { g in
      k.withUnsafeMutableBufferPointer { kp in
        BLAS.sgemm(transA: false, transB: true, m: t, n: t, k: d, alpha: 1, a: g.baseAddress!, lda: d, b: g.baseAddress!, ldb: d, beta: 0, c: kp.baseAddress!, ldc: t)
      }
    }
    var out = [[Double]](repeating: [Double](repeating: 0, count: t), count: t)
    for i in 0..<t {
      for j in 0..<t {
        // Symmetrise: sgemm's two triangles can differ in the last bits.
        out[i][j] = 0.5 * (Double(k[i * t + j]) + Double(k[j * t + i]))
      }
    }
    return out
  }

  /// Euclidean norm of each task's gradient (accumulated in Double).
  public func norms() -> [Double] {
    let d = dimension
    return matrix.withUnsafeBufferPointer { g in
      (0..<taskCount).map { t in
        var s = 0.0
        let row = g.baseAddress! + t * d
        for i in 0..<d { s += Double(row[i]) * Double(row[i]) }
        return s.squareRoot()
      }
    }
  }

  /// `Σ_t weights[t] · g_t` as a `[D]` tensor.
  public func combine(_ weights: [Double]) -> Tensor {
    precondition(weights.count == taskCount, "TaskGradients.combine: \(weights.count) weights for \(taskCount) tasks")
    let d = dimension
    var out = Tensor.zeros([d])
    matrix.withUnsafeBufferPointer { g in
      out.withUnsafeMutableBufferPointer { o in
        for (t, w) in weights.enumerated() where w != 0 {
          BLAS.saxpy(n: d, alpha: Float(w), x: g.baseAddress! + t * d, y: o.baseAddress!)
        }
      }
    }
    return out
  }
}
