/// The part of each global batch one rank of a data-parallel run reads.
///
/// The epoch's global order (a permutation of the sample indices, the same on every rank) is cut
/// into global batches of ``globalBatch`` samples; rank `r` of `R` reads the contiguous positions
/// `r·b ..< (r+1)·b` of each, `b = globalBatch / R`. The shards are disjoint, cover the batch, and
/// depend only on the rank and the size, so a run with `R` ranks sees exactly the samples one
/// process sees with batch ``globalBatch``, in the same batches.
///
/// ```swift
/// let shard = try DataShard(globalBatch: 8, rank: comm.rank, size: comm.size)
/// let mine = shard.indices(of: Array(order[k * 8 ..< (k + 1) * 8]))   // 4 indices on each of 2 ranks
/// ```
public struct DataShard: Equatable, Sendable {
  /// Samples per global batch (all ranks together).
  public let globalBatch: Int
  /// This rank.
  public let rank: Int
  /// The number of ranks.
  public let size: Int

  /// The shard of rank `rank` of `size`.
  ///
  /// - Throws: ``CommunicatorError`` when `size` < 1, `rank` is outside `0..<size`, or
  ///   `globalBatch` is not a positive multiple of `size` (equal shards are what make the mean of
  ///   the ranks' batch-mean losses the global batch mean).
  public init(globalBatch: Int, rank: Int, size: Int) throws {
    guard size >= 1 else { throw CommunicatorError("DataShard: the number of ranks must be ≥ 1; found \(size)") }
    guard (0..<size).contains(rank) else {
      throw CommunicatorError("DataShard: rank must be in 0..<\(size); found \(rank)")
    }
    guard globalBatch > 0, globalBatch % size == 0 else {
      throw CommunicatorError(
        "DataShard: the global batch (\(globalBatch)) must be a positive multiple of the number of ranks (\(size)); use a batch size divisible by \(size)")
    }
    self.globalBatch = globalBatch
    self.rank = rank
    self.size = size
  }

  /// Samples per rank and batch.
  public var localBatch: Int { globalBatch / size }

  /// This rank's positions within a global batch.
  public var range: Range<Int> { (rank * localBatch)..<((rank + 1) * localBatch) }

  /// This rank's part of one global batch's sample indices.
  ///
  /// - Throws: ``CommunicatorError`` when `batch` does not hold ``globalBatch`` indices.
  public func indices(of batch: [Int]) throws -> [Int] {
    guard batch.count == globalBatch else {
      throw CommunicatorError("DataShard: a global batch of \(batch.count) samples, expected \(globalBatch)")
    }
    return Array(batch[range])
  }
}
