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
/// Most aggregators depend only on the Gramian `K = G Gᵀ` (computed once, in Double, see
/// ``gramian()``) and return weights `w`, so the aggregated gradient is
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

  /// The Gramian `K[i][j] = ⟨g_i, g_j⟩`, computed in Double.
  ///
  /// The Float rows are converted to Double one block of columns at a time (a few hundred KB of
  /// scratch, never a full copy) and accumulated by `dsyrk`: the products of Float values are
  /// exact in Double and the sums carry about 1e-16 relative error, where a Float (sgemm) Gramian
  /// carries about 1e-7 · ‖g_i‖‖g_j‖ absolute error per entry. That error is what broke the
  /// solvers on widely scaled or nearly dependent rows (issue 17): with norms spread over
  /// 1e-4 … 1e4 the small rows' entries were pure rounding noise of the large ones. The result is
  /// exactly symmetric.
  public func gramian() -> [[Double]] {
    let t = taskCount
    var k = [Double](repeating: 0, count: t * t)
    matrix.withUnsafeBufferPointer { g in
      k.withUnsafeMutableBufferPointer { kp in
        Self.forEachDoubleBlock(g.baseAddress!, rows: t, columns: dimension) { block, width, first in
          BLAS.dsyrkUpper(n: t, k: width, alpha: 1, a: block, lda: width, beta: first ? 0 : 1, c: kp.baseAddress!, ldc: t)
        }
      }
    }
    var out = [[Double]](repeating: [Double](repeating: 0, count: t), count: t)
    for i in 0..<t {
      for j in i..<t {
        out[i][j] = k[i * t + j]
        out[j][i] = k[i * t + j]
      }
    }
    return out
  }

  /// Columns per Double block for `rows` rows: about 2 MB of scratch, at least 256 columns.
  static func blockWidth(rows: Int, columns: Int) -> Int {
    max(1, min(columns, max(256, (1 << 18) / max(rows, 1))))
  }

  /// Calls `body(block, width, first)` for consecutive column blocks of the row-major
  /// `rows × columns` Float matrix at `g`, each converted to a row-major `rows × width` Double
  /// block (row stride `width`); `first` is true for the first block. Does nothing when
  /// `columns` is 0 (callers handle the empty case).
  static func forEachDoubleBlock(
    _ g: UnsafePointer<Float>, rows: Int, columns: Int,
    _ body: (UnsafePointer<Double>, Int, Bool) -> Void
  ) {
    guard rows > 0, columns > 0 else { return }
    let width = blockWidth(rows: rows, columns: columns)
    let scratch = UnsafeMutablePointer<Double>.allocate(capacity: rows * width)
    defer { scratch.deallocate() }
    var c0 = 0
    while c0 < columns {
      let w = min(width, columns - c0)
      for r in 0..<rows {
        let src = g + r * columns + c0
        let dst = scratch + r * w
        for j in 0..<w { dst[j] = Double(src[j]) }
      }
      body(UnsafePointer(scratch), w, c0 == 0)
      c0 += w
    }
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

  /// `Σ_t weights[t] · g_t` as a `[D]` tensor, accumulated in Double and rounded once.
  ///
  /// Accumulating in Double matters where the combination cancels: MGDA's min-norm point of rows
  /// scaled 1e-4 … 1e4 can be many orders of magnitude shorter than the terms it sums, and a
  /// Float sum would carry an error of about 1e-7 times the largest term.
  public func combine(_ weights: [Double]) -> Tensor {
    precondition(weights.count == taskCount, "TaskGradients.combine: \(weights.count) weights for \(taskCount) tasks")
    let d = dimension
    var out = Tensor.zeros([d])
    guard d > 0 else { return out }
    let width = Self.blockWidth(rows: 1, columns: d)
    let acc = UnsafeMutablePointer<Double>.allocate(capacity: width)
    defer { acc.deallocate() }
    matrix.withUnsafeBufferPointer { g in
      out.withUnsafeMutableBufferPointer { o in
        var c0 = 0
        while c0 < d {
          let w = min(width, d - c0)
          acc.update(repeating: 0, count: w)
          for (t, wt) in weights.enumerated() where wt != 0 {
            let row = g.baseAddress! + t * d + c0
            for j in 0..<w { acc[j] += wt * Double(row[j]) }
          }
          let dst = o.baseAddress! + c0
          for j in 0..<w { dst[j] = Float(acc[j]) }
          c0 += w
        }
      }
    }
    return out
  }
}
