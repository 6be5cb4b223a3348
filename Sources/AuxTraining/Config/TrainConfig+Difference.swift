import Foundation
import Yams

/// One key whose value differs between two configurations, as written in `config.yaml`.
public struct ConfigDifference: Codable, Sendable, Equatable, CustomStringConvertible {
  /// The dotted key, e.g. `optimizer.learning_rate`.
  public var key: String
  /// The value in the run's own configuration (YAML flow text).
  public var old: String
  /// The value now requested.
  public var new: String

  public init(key: String, old: String, new: String) {
    self.key = key
    self.old = old
    self.new = new
  }

  public var description: String { "\(key): \(old) → \(new)" }
}

extension TrainConfig {
  /// Keys that change how a run is logged or executed but not what it computes: a run may be
  /// resumed with a different value (`training.threads` changes only the BLAS thread count,
  /// `training.prefetch` only when batches are assembled, `training.log_every` only how often
  /// steps are logged, `dataset.cache` only where decoded data is kept). `experiment` and `output`
  /// name the run's folder, so a resume never sees them change.
  public static let keysFreeOnResume: Set<String> = [
    "experiment", "output", "training.threads", "training.prefetch", "training.log_every", "dataset.cache",
  ]

  /// Every key whose value differs from `other`'s, in schema (file) order.
  public func differences(from other: TrainConfig) -> [ConfigDifference] {
    TrainConfig.schema.compactMap { field in
      let (a, b) = (Self.flowText(field.represent(other)), Self.flowText(field.represent(self)))
      return a == b ? nil : ConfigDifference(key: field.path, old: a, new: b)
    }
  }

  /// The differences from `other` that change what training computes (every key outside
  /// ``keysFreeOnResume``).
  public func trainingDifferences(from other: TrainConfig) -> [ConfigDifference] {
    differences(from: other).filter { !Self.keysFreeOnResume.contains($0.key) }
  }

  /// A YAML node as one line of flow text (`0.01`, `[semantic, depth]`, `{sign_mask: false}`).
  private static func flowText(_ node: Node) -> String {
    var node = node
    switch node {
    case .sequence(var s):
      s.style = .flow
      node = .sequence(s)
    case .mapping(var m):
      m.style = .flow
      node = .mapping(m)
    default: break
    }
    let text = (try? Yams.serialize(node: node, width: -1, allowUnicode: true)) ?? "\(node)"
    return text.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
