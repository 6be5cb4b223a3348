/// A configuration key a ``RegistryEntry`` reads, what it means for that entry and, where the
/// entry narrows it, the range it accepts.
///
/// Defaults and the key's general type and range come from the configuration schema (AuxTraining's
/// `TrainConfig`); an entry states a range only when it is stricter than the schema's (the `scenes`
/// dataset numbers at most 2^40 samples a split).
public struct RegistryOption: Sendable, Equatable {
  /// The full configuration key, e.g. `optimizer.momentum`.
  public let key: String
  /// What the key means for this entry.
  public let help: String
  /// The integers the entry accepts (nil: whatever the schema accepts).
  public let range: ClosedRange<Int>?
  /// How error messages write ``range`` (default `lower…upper`).
  public let rangeText: String?
  /// Why the range is what it is, appended to the error message (e.g. "the most scenes a split
  /// numbers").
  public let rangeReason: String?

  public init(_ key: String, _ help: String, range: ClosedRange<Int>? = nil, rangeText: String? = nil, rangeReason: String? = nil) {
    self.key = key
    self.help = help
    self.range = range
    self.rangeText = rangeText
    self.rangeReason = rangeReason
  }

  /// The message for `value` outside ``range`` in the entry `entry`, or nil when it is inside.
  public func rangeViolation(_ value: Int, entry: String) -> String? {
    guard let range, !range.contains(value) else { return nil }
    let text = rangeText ?? "\(range.lowerBound)…\(range.upperBound)"
    return "\(key) must be within \(text) for \(entry)\(rangeReason.map { ", \($0);" } ?? ",") got \(value)"
  }
}
