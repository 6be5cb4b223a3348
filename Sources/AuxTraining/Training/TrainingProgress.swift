/// Receives what a ``Trainer`` is doing, to show it to a person (see ``ProgressBar``) or ignore it.
public protocol TrainingProgress: AnyObject {
  /// An epoch begins; `steps` is the number of steps it will take.
  func epochStarted(epoch: Int, of epochs: Int, steps: Int)
  /// A step ended: its 1-based index in the epoch, the running mean of the summed task losses,
  /// and the throughput so far in samples per second.
  func stepEnded(step: Int, meanLoss: Double, samplesPerSecond: Double)
  /// An epoch ended, with its validation main metrics (may be empty) and whether they improved.
  func epochEnded(epoch: Int, seconds: Double, validation: [MetricRecord], improved: Bool)
  /// A line of information (resume, early stopping, final test metrics).
  func note(_ message: String)
}

/// A progress sink that shows nothing.
public final class SilentProgress: TrainingProgress {
  public init() {}
  public func epochStarted(epoch: Int, of epochs: Int, steps: Int) {}
  public func stepEnded(step: Int, meanLoss: Double, samplesPerSecond: Double) {}
  public func epochEnded(epoch: Int, seconds: Double, validation: [MetricRecord], improved: Bool) {}
  public func note(_ message: String) {}
}
