import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A terminal progress bar for training: one line per epoch, redrawn in place on a terminal
/// (`epoch 3/10 [██████······] 45/120 loss 1.234 · 312 img/s · eta 0:06`), and plain periodic
/// lines when the output is not a terminal (logs, CI).
public final class ProgressBar: TrainingProgress {
  private let prefix: String
  private let interactive: Bool
  private let width = 24
  private var epoch = 0
  private var epochs = 0
  private var steps = 0
  private var started = Date()
  private var lastDraw = Date.distantPast
  private let write: (String) -> Void

  /// A bar printing to standard output. `prefix` names the run (e.g. `"ial seed 0"`).
  public init(prefix: String = "", interactive: Bool? = nil, write: ((String) -> Void)? = nil) {
    self.prefix = prefix.isEmpty ? "" : prefix + "  "
    #if canImport(Glibc)
      self.interactive = interactive ?? (isatty(STDOUT_FILENO) != 0)
    #else
      self.interactive = interactive ?? false
    #endif
    self.write = write ?? { s in
      // Through stdio (not FileHandle) so that the bar interleaves correctly with print().
      print(s, terminator: "")
      fflush(nil)
    }
  }

  public func epochStarted(epoch: Int, of epochs: Int, steps: Int) {
    self.epoch = epoch
    self.epochs = epochs
    self.steps = steps
    started = Date()
    lastDraw = .distantPast
  }

  public func stepEnded(step: Int, meanLoss: Double, samplesPerSecond: Double) {
    let now = Date()
    let last = step == steps
    if interactive {
      guard last || now.timeIntervalSince(lastDraw) > 0.1 else { return }
      lastDraw = now
      let filled = steps > 0 ? min(width, width * step / steps) : width
      let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
      let elapsed = now.timeIntervalSince(started)
      let eta = step > 0 ? elapsed / Double(step) * Double(max(steps - step, 0)) : 0
      write("\r\(prefix)epoch \(epoch)/\(epochs) [\(bar)] \(step)/\(steps) loss \(Self.format(meanLoss)) · \(Int(samplesPerSecond.rounded())) img/s · eta \(Self.clock(eta))\u{1B}[K")
    } else if last || now.timeIntervalSince(lastDraw) > 30 {
      lastDraw = now
      write("\(prefix)epoch \(epoch)/\(epochs) step \(step)/\(steps) loss \(Self.format(meanLoss)) \(Int(samplesPerSecond.rounded())) img/s\n")
    }
  }

  public func epochEnded(epoch: Int, seconds: Double, validation: [MetricRecord], improved: Bool) {
    let metrics = validation.map { "\($0.key) \(Self.format($0.value))" }.joined(separator: ", ")
    let tail = metrics.isEmpty ? "" : " · val \(metrics)\(improved ? " (best)" : "")"
    if interactive { write("\r\u{1B}[K") }
    write("\(prefix)epoch \(epoch)/\(epochs) done in \(Self.clock(seconds))\(tail)\n")
  }

  public func note(_ message: String) {
    if interactive { write("\r\u{1B}[K") }
    write("\(prefix)\(message)\n")
  }

  /// A metric or loss value with 4 decimals (1 above 100).
  public static func format(_ v: Double) -> String {
    guard v.isFinite else { return "\(v)" }
    return abs(v) >= 100 ? String(format: "%.1f", v) : String(format: "%.4f", v)
  }

  static func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}
