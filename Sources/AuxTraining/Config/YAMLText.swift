import Foundation
import Yams

/// Building YAML nodes that read back as the same values: text that YAML would take for a number,
/// a boolean or null (`"true"`, `"1e-4"`, `""`) is double-quoted, everything else is plain.
enum YAMLText {
  static var null: Node { Node("null", .implicit, .plain) }

  static func plain(_ s: String) -> Node { Node(s, .implicit, .plain) }

  /// Text, quoted when the plain form would be read as something else.
  static func string(_ s: String) -> Node {
    let plainNode = Node(s, .implicit, .plain)
    let trimmed = s.trimmingCharacters(in: .whitespaces)
    if !s.isEmpty, trimmed == s, Resolver.default.resolveTag(of: plainNode) == .str {
      return plainNode
    }
    return Node(s, .implicit, .doubleQuoted)
  }

  /// The shortest text that reads back as the same `Double` (Swift's `description`).
  static func number(_ d: Double) -> String { "\(d)" }

  /// A flow list: `[semantic, depth]`.
  static func list(_ items: [String]) -> Node {
    Node(items.map(string), .implicit, .flow)
  }

  /// A value of a mapping field (method options, main metrics), which is read back as text
  /// whatever its YAML type (``ConfigNode/optionText()``): plain unless it would read as null or
  /// as a boolean spelt other than `true`/`false`.
  static func mapValue(_ s: String) -> Node {
    let plainNode = Node(s, .implicit, .plain)
    let tag = Resolver.default.resolveTag(of: plainNode)
    let changes = s.isEmpty || s.trimmingCharacters(in: .whitespaces) != s || tag == .null
      || (tag == .bool && s != "true" && s != "false")
    return changes ? Node(s, .implicit, .doubleQuoted) : plainNode
  }

  /// A mapping sorted by key (`{}` when empty).
  static func map(_ entries: [String: String]) -> Node {
    let pairs = entries.keys.sorted().map { (string($0), mapValue(entries[$0]!)) }
    return Node(pairs, .implicit, pairs.isEmpty ? .flow : .block)
  }
}
