/// Matrix products through BLAS sgemm.
extension Tensor {
  /// Matrix product over the last two dimensions.
  ///
  /// Supported shapes: `[M, K] · [K, N]`; batched `[..., M, K] · [..., K, N]` with identical batch
  /// dimensions; and `[..., M, K] · [K, N]`, where the right operand is shared by every batch
  /// element (a single GEMM).
  public func matmul(_ other: Tensor) -> Tensor {
    precondition(rank >= 2 && other.rank >= 2, "matmul: operands need rank ≥ 2, got shapes \(shape) and \(other.shape)")
    let m = shape[rank - 2]
    let k = shape[rank - 1]
    let k2 = other.shape[other.rank - 2]
    let n = other.shape[other.rank - 1]
    precondition(k == k2, "matmul: inner dimensions differ: shapes \(shape) and \(other.shape) (\(k) vs \(k2))")
    let batchA = Array(shape.dropLast(2))
    let batchB = Array(other.shape.dropLast(2))
    let a = self.detached()
    let b = other.detached()

    if batchB.isEmpty {
      // [..., M, K] · [K, N] as one [(...·M), K] · [K, N] product.
      let rows = Shape.count(batchA) * m
      var out = Tensor.uninitialized(batchA + [m, n])
      MatmulKernels.gemm(a, b, into: &out, transA: false, transB: false, m: rows, n: n, k: k, batch: 1)
      return Tensor.record("matmul", output: out, inputs: [self, other]) { g, need in
        var ga: Tensor?
        var gb: Tensor?
        if need[0] {
          var r = Tensor.uninitialized(a.shape)
          MatmulKernels.gemm(g, b, into: &r, transA: false, transB: true, m: rows, n: k, k: n, batch: 1)
          ga = r
        }
        if need[1] {
          var r = Tensor.uninitialized(b.shape)
          MatmulKernels.gemm(a, g, into: &r, transA: true, transB: false, m: k, n: n, k: rows, batch: 1)
          gb = r
        }
        return [ga, gb]
      }
    }

    precondition(batchA == batchB, "matmul: batch dimensions differ: shapes \(shape) and \(other.shape)")
    let batch = Shape.count(batchA)
    var out = Tensor.uninitialized(batchA + [m, n])
    MatmulKernels.gemm(a, b, into: &out, transA: false, transB: false, m: m, n: n, k: k, batch: batch)
    return Tensor.record("bmm", output: out, inputs: [self, other]) { g, need in
      var ga: Tensor?
      var gb: Tensor?
      if need[0] {
        var r = Tensor.uninitialized(a.shape)
        MatmulKernels.gemm(g, b, into: &r, transA: false, transB: true, m: m, n: k, k: n, batch: batch)
        ga = r
      }
      if need[1] {
        var r = Tensor.uninitialized(b.shape)
        MatmulKernels.gemm(a, g, into: &r, transA: true, transB: false, m: k, n: n, k: m, batch: batch)
        gb = r
      }
      return [ga, gb]
    }
  }
}

/// Batched GEMM over contiguous row-major matrices.
public enum MatmulKernels {
  /// `out[i] = op(a[i]) · op(b[i])` for `batch` consecutive matrices, where `op` transposes when
  /// asked. `a` holds matrices stored as `m×k` (or `k×m` when `transA`), `b` as `k×n` (or `n×k`).
  public static func gemm(
    _ a: Tensor, _ b: Tensor, into out: inout Tensor,
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, batch: Int
  ) {
    let strideA = m * k
    let strideB = k * n
    let strideC = m * n
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        out.withUnsafeMutableBufferPointer { cp in
          guard let A = ap.baseAddress, let B = bp.baseAddress, let C = cp.baseAddress else { return }
          for i in 0..<batch {
            BLAS.sgemm(
              transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
              a: A + i * strideA, lda: transA ? m : k,
              b: B + i * strideB, ldb: transB ? k : n,
              beta: 0, c: C + i * strideC, ldc: n)
          }
        }
      }
    }
  }
}
