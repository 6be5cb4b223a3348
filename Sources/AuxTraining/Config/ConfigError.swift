/// Where a configuration value came from: a file (with the line and column Yams reported) or a
/// command-line override.
public struct ConfigLocation: Sendable, Equatable, CustomStringConvertible {
  /// The file path, or `"command line"` for overrides.
  public var source: String
  /// 1-based line in `source`, when known.
  public var line: Int?
  /// 1-based column in `source`, when known.
  public var column: Int?

  public init(source: String, line: Int? = nil, column: Int? = nil) {
    self.source = source
    self.line = line
    self.column = column
  }

  /// The source of command-line overrides.
  public static let commandLine = ConfigLocation(source: "command line")

  /// `file:line:column`, or as much of it as is known.
  public var description: String {
    var s = source
    if let line {
      s += ":\(line)"
      if let column { s += ":\(column)" }
    }
    return s
  }
}

/// A configuration that cannot be used: an unknown key, a value of the wrong type, a value outside
/// its allowed set or range, or a combination of values that does not make sense.
///
/// The description reads `file:line:column: key.path: message`, and the message names what was
/// expected (the allowed keys or values, the type, the range) and what was found.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
  /// Where the offending value is.
  public let location: ConfigLocation
  /// The full dotted key path (`training.batch_size`); empty for the document as a whole.
  public let key: String
  /// What is wrong, with the expected and the found value.
  public let message: String

  public init(_ location: ConfigLocation, key: String, _ message: String) {
    self.location = location
    self.key = key
    self.message = message
  }

  public var description: String {
    key.isEmpty ? "\(location): \(message)" : "\(location): \(key): \(message)"
  }
}
