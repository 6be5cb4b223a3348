/// A file that cannot be read or written as the expected format.
///
/// The message always names the file, the field or offset at fault, what was expected and what was
/// found, so that a user can act on it without reading our code.
public struct FormatError: Error, CustomStringConvertible, Equatable {
  /// The file (path) the error is about.
  public let file: String
  /// What is wrong, including expected and found values.
  public let message: String

  public init(file: String, _ message: String) {
    self.file = file
    self.message = message
  }

  public var description: String { "\(file): \(message)" }
}
