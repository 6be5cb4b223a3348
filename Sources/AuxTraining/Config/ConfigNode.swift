import Foundation
import Yams

/// One YAML value of a configuration with its full key path and where it came from, read as the
/// type a field expects.
///
/// Every accessor throws a ``ConfigError`` naming the key, the expected type and what was found.
/// Numbers, booleans and null must be plain (unquoted) YAML scalars; text fields accept any
/// scalar (so `experiment: 2024` is the text `"2024"`).
struct ConfigNode {
  let node: Node
  /// The full dotted key path.
  let key: String
  let source: String

  init(_ node: Node, key: String, source: String) {
    self.node = node
    self.key = key
    self.source = source
  }

  /// Where the value is.
  var location: ConfigLocation { Self.location(of: node, source: source) }

  static func location(of node: Node, source: String) -> ConfigLocation {
    ConfigLocation(source: source, line: node.mark?.line, column: node.mark?.column)
  }

  /// The YAML 1.1 type of the value (`int`, `float`, `bool`, `null`, `str`, …) as Yams resolves it.
  var tagName: Tag.Name { Self.tagName(of: node) }

  static func tagName(of node: Node) -> Tag.Name { Resolver.default.resolveTag(of: node) }

  /// Whether the value is YAML null (`~`, `null` or nothing, unquoted).
  var isNull: Bool {
    guard case .scalar(let s) = node else { return false }
    return !isQuoted(s) && tagName == .null
  }

  /// A description of the value for messages: `the number 5`, `the text 'abc'`, `a list`, ….
  var found: String { Self.describe(node) }

  static func describe(_ node: Node) -> String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    case .scalar(let s):
      if s.style == .singleQuoted || s.style == .doubleQuoted { return "the quoted text \"\(s.string)\"" }
      switch Self.tagName(of: node) {
      case .null: return "nothing (null)"
      case .bool: return "the boolean \(s.string)"
      case .int, .float: return "the number \(s.string)"
      default: return "the text '\(s.string)'"
      }
    }
  }

  func error(_ message: String) -> ConfigError { ConfigError(location, key: key, message) }

  func typeError(expected: String) -> ConfigError { error("expected \(expected); found \(found)") }

  private func isQuoted(_ s: Node.Scalar) -> Bool { s.style == .singleQuoted || s.style == .doubleQuoted }

  /// The text of a plain scalar (numbers, booleans), or nil for anything else.
  private var plainText: String? {
    guard case .scalar(let s) = node, !isQuoted(s) else { return nil }
    return s.string
  }

  // MARK: - Typed reads

  /// An integer satisfying `rule`.
  func integer(_ rule: IntegerRule) throws -> Int {
    let expected = "an integer \(rule.text)"
    guard let text = plainText, tagName == .int || tagName == .float || tagName == .str else {
      throw typeError(expected: expected)
    }
    let digits = text.replacingOccurrences(of: "_", with: "")
    guard let value = Int(digits) ?? (tagName == .int ? node.int : nil) else { throw typeError(expected: expected) }
    guard rule.accepts(value) else { throw error("expected an integer \(rule.text); found \(value)") }
    return value
  }

  /// A non-negative 64-bit integer (seeds).
  func unsigned() throws -> UInt64 {
    let expected = "a whole number in 0…\(UInt64.max)"
    guard let text = plainText, let value = UInt64(text.replacingOccurrences(of: "_", with: "")) else {
      throw typeError(expected: expected)
    }
    return value
  }

  /// A finite number satisfying `rule`.
  func number(_ rule: NumberRule) throws -> Double {
    let expected = "a number \(rule.text)"
    guard let text = plainText, tagName != .null, tagName != .bool else { throw typeError(expected: expected) }
    guard let value = Double(text.replacingOccurrences(of: "_", with: "")) ?? node.float else {
      throw typeError(expected: expected)
    }
    guard value.isFinite else { throw error("expected a finite number \(rule.text); found \(text)") }
    guard rule.accepts(value) else { throw error("expected a number \(rule.text); found \(text)") }
    return value
  }

  /// `true` or `false` (YAML 1.1 also allows yes/no/on/off).
  func boolean() throws -> Bool {
    guard plainText != nil, tagName == .bool, let value = node.bool else {
      throw typeError(expected: "true or false")
    }
    return value
  }

  /// The text of any non-null scalar.
  func text(nonEmpty: Bool = true) throws -> String {
    guard case .scalar(let s) = node, !isNull else { throw typeError(expected: "text") }
    if nonEmpty && s.string.trimmingCharacters(in: .whitespaces).isEmpty {
      throw error("expected non-empty text; found an empty value")
    }
    return s.string
  }

  /// The text of a method option or a mapping entry: any non-null scalar as written, except that a
  /// plain YAML boolean (`yes`, `False`, `on`) becomes `true` or `false`.
  func optionText() throws -> String {
    if plainText != nil, tagName == .bool, let b = node.bool { return b ? "true" : "false" }
    return try text(nonEmpty: false)
  }

  /// Text, or nil for null.
  func optionalText() throws -> String? {
    isNull ? nil : try text()
  }

  /// One of `allowed`, with a suggestion for near misses.
  func choice(_ allowed: [String]) throws -> String {
    guard case .scalar(let s) = node, !isNull else {
      throw typeError(expected: "one of \(allowed.joined(separator: ", "))")
    }
    guard allowed.contains(s.string) else {
      var message = "must be one of \(allowed.joined(separator: ", ")); found '\(s.string)'"
      if let near = KeySuggestion.closest(to: s.string, in: allowed) { message += "; did you mean \(near)?" }
      throw error(message)
    }
    return s.string
  }

  /// A list of texts; a single scalar counts as a list of one.
  func textList() throws -> [String] {
    switch node {
    case .scalar:
      return [try text()]
    case .sequence(let seq):
      return try seq.enumerated().map { i, element in
        let item = ConfigNode(element, key: "\(key)[\(i)]", source: source)
        guard case .scalar = element, !item.isNull else { throw item.typeError(expected: "a task name") }
        return try item.text()
      }
    default:
      throw typeError(expected: "a name or a list of names")
    }
  }

  /// A list of texts, or nil for null.
  func optionalTextList() throws -> [String]? {
    isNull ? nil : try textList()
  }

  /// A mapping from names to texts (null: empty). Values may be any non-null scalar (see
  /// ``optionText()``).
  func textMap() throws -> [String: String] {
    if isNull { return [:] }
    guard case .mapping(let m) = node else { throw typeError(expected: "a mapping of names to values") }
    var out: [String: String] = [:]
    for (k, v) in m {
      let name = try ConfigNode(k, key: key, source: source).text()
      let entry = ConfigNode(v, key: "\(key).\(name)", source: source)
      guard case .scalar = v, !entry.isNull else { throw entry.typeError(expected: "a single value") }
      out[name] = try entry.optionText()
    }
    return out
  }
}

/// Which integers a field accepts, with the text that says so (`≥ 1`, `in 32…256`).
struct IntegerRule {
  let text: String
  let accepts: (Int) -> Bool

  static func atLeast(_ n: Int) -> IntegerRule { IntegerRule(text: "≥ \(n)") { $0 >= n } }
  static func within(_ r: ClosedRange<Int>) -> IntegerRule {
    IntegerRule(text: "in \(r.lowerBound)…\(r.upperBound)") { r.contains($0) }
  }
  static func oneOf(_ values: [Int]) -> IntegerRule {
    IntegerRule(text: "out of \(values.map(String.init).joined(separator: ", "))") { values.contains($0) }
  }
}

/// Which numbers a field accepts, with the text that says so (`> 0`, `in [0, 1)`).
struct NumberRule {
  let text: String
  let accepts: (Double) -> Bool

  static var positive: NumberRule { NumberRule(text: "> 0") { $0 > 0 } }
  static var nonNegative: NumberRule { NumberRule(text: "≥ 0") { $0 >= 0 } }
  /// `[0, 1)`: momentum.
  static var unitHalfOpen: NumberRule { NumberRule(text: "in [0, 1)") { $0 >= 0 && $0 < 1 } }
  /// `(0, 1]`: decay factors.
  static var unitOpenClosed: NumberRule { NumberRule(text: "in (0, 1]") { $0 > 0 && $0 <= 1 } }
}
