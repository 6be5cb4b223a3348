import Foundation

/// A resume refused because the configuration is not the run's own (or the run's own cannot be
/// read), so that a run's results never silently mix two settings.
public struct ConfigChangeError: Error, CustomStringConvertible, Equatable {
  /// The run folder.
  public let folder: String
  /// The keys that change training, with the run's and the requested values.
  public let changes: [ConfigDifference]
  /// Why the run's own configuration could not be compared, when it could not.
  public let unreadable: String?

  public init(folder: String, changes: [ConfigDifference]) {
    self.folder = folder
    self.changes = changes
    self.unreadable = nil
  }

  public init(folder: String, unreadable: String) {
    self.folder = folder
    self.changes = []
    self.unreadable = unreadable
  }

  /// The changed keys, e.g. `["optimizer.learning_rate"]`.
  public var keys: [String] { changes.map(\.key) }

  public var description: String {
    let ways = "resume with the run's own configuration (its config.yaml), train a new run under another `experiment` name, or pass --allow-config-change to continue under the new one (run.json then records both configurations and the step of the change)"
    if let unreadable {
      return "cannot resume \(folder): its configuration cannot be compared with this one (\(unreadable)); \(ways)"
    }
    let list = changes.map { "  \($0.key): \($0.old) (run) → \($0.new) (now)" }.joined(separator: "\n")
    return "cannot resume \(folder): the configuration differs from the run's own in \(changes.count == 1 ? "a key that changes" : "\(changes.count) keys that change") training (\(keys.joined(separator: ", "))):\n\(list)\n\(ways)"
  }
}
