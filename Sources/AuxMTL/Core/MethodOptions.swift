/// A method option the user gave that is unknown or has a bad value.
public struct MethodOptionError: Error, CustomStringConvertible, Equatable {
  public let method: String
  public let message: String
  public init(method: String, _ message: String) {
    self.method = method
    self.message = message
  }
  public var description: String { "method '\(method)': \(message)" }
}

/// Typed access to a method's string options, with defaults from its ``OptionSpec``s.
///
/// Each accessor validates its value and throws a ``MethodOptionError`` that names the option, the
/// expected form and what was found. ``finish()`` rejects options the method never read (typos).
public struct MethodOptions {
  public let method: String
  private let specs: [String: OptionSpec]
  private let given: [String: String]
  private var used: Set<String> = []
  /// Every option's value as resolved (given or default), for the run's saved configuration.
  public private(set) var resolved: [String: String] = [:]

  public init(method: String, specs: [OptionSpec], given: [String: String]) {
    self.method = method
    self.specs = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    self.given = given
  }

  private mutating func raw(_ name: String) throws -> String {
    guard let spec = specs[name] else {
      preconditionFailure("method '\(method)' reads option '\(name)' that its descriptor does not declare")
    }
    used.insert(name)
    let v = given[name] ?? spec.defaultValue
    if let allowed = spec.allowed, !allowed.contains(v) {
      throw MethodOptionError(method: method, "option '\(name)' must be one of \(allowed.joined(separator: ", ")); found '\(v)'")
    }
    resolved[name] = v
    return v
  }

  public mutating func string(_ name: String) throws -> String { try raw(name) }

  public mutating func bool(_ name: String) throws -> Bool {
    let v = try raw(name)
    switch v.lowercased() {
    case "true", "yes", "on", "1": return true
    case "false", "no", "off", "0": return false
    default: throw MethodOptionError(method: method, "option '\(name)' must be true or false; found '\(v)'")
    }
  }

  public mutating func double(_ name: String, range: ClosedRange<Double>? = nil) throws -> Double {
    let v = try raw(name)
    guard let d = Double(v), d.isFinite else {
      throw MethodOptionError(method: method, "option '\(name)' must be a number; found '\(v)'")
    }
    if let range, !range.contains(d) {
      throw MethodOptionError(method: method, "option '\(name)' must be in \(range.lowerBound)…\(range.upperBound); found \(v)")
    }
    return d
  }

  public mutating func int(_ name: String, range: ClosedRange<Int>? = nil) throws -> Int {
    let v = try raw(name)
    guard let i = Int(v) else {
      throw MethodOptionError(method: method, "option '\(name)' must be an integer; found '\(v)'")
    }
    if let range, !range.contains(i) {
      throw MethodOptionError(method: method, "option '\(name)' must be in \(range.lowerBound)…\(range.upperBound); found \(v)")
    }
    return i
  }

  /// Throws if the user gave options this method does not have.
  public func finish() throws {
    let unknown = given.keys.filter { specs[$0] == nil }.sorted()
    if !unknown.isEmpty {
      let known = specs.keys.sorted()
      throw MethodOptionError(
        method: method,
        "unknown option\(unknown.count > 1 ? "s" : "") \(unknown.map { "'\($0)'" }.joined(separator: ", ")); "
          + (known.isEmpty ? "this method takes no options" : "allowed: \(known.joined(separator: ", "))"))
    }
  }
}
