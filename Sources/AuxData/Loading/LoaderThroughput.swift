import Foundation

/// How fast a loader produces data: batches and samples per second of wall time.
public struct LoaderThroughput: Sendable, CustomStringConvertible {
  /// Batches (or multi-input steps) produced.
  public var batches: Int
  /// Samples produced.
  public var samples: Int
  /// Wall time.
  public var seconds: Double

  public var samplesPerSecond: Double { Double(samples) / max(seconds, 1e-9) }
  public var batchesPerSecond: Double { Double(batches) / max(seconds, 1e-9) }

  public var description: String {
    String(format: "%d batches, %d samples in %.3f s: %.0f samples/s, %.1f batches/s", batches, samples, seconds, samplesPerSecond, batchesPerSecond)
  }

  /// Drains `epochs` epochs of `loader` (starting at epoch 0) without using the batches.
  public static func measure(_ loader: DataLoader, epochs: Int = 1) throws -> LoaderThroughput {
    var batches = 0, samples = 0
    let start = ContinuousClock.now
    for e in 0..<epochs {
      let it = loader.batches(epoch: e)
      while let b = try it.next() {
        batches += 1
        samples += b.count
      }
    }
    let d = ContinuousClock.now - start
    return LoaderThroughput(batches: batches, samples: samples, seconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
  }

  /// Drains `epochs` epochs of a multi-input loader; samples count every task's batch.
  public static func measure(_ loader: MultiInputLoader, epochs: Int = 1) throws -> LoaderThroughput {
    var batches = 0, samples = 0
    let start = ContinuousClock.now
    for e in 0..<epochs {
      let it = loader.steps(epoch: e)
      while let s = try it.next() {
        batches += 1
        samples += s.batches.reduce(0) { $0 + $1.count }
      }
    }
    let d = ContinuousClock.now - start
    return LoaderThroughput(batches: batches, samples: samples, seconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
  }
}
