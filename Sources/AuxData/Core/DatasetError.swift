/// A dataset that cannot be found, is laid out wrongly, or yields inconsistent samples.
///
/// Malformed individual files throw ``AuxIO/FormatError`` instead; this error is about the
/// dataset as a whole (a missing directory, a missing file in a numbered sequence, samples whose
/// shapes disagree) and its message says what was expected and how to fix it.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
  /// What is wrong and, where possible, how to fix it.
  public let message: String

  public init(_ message: String) {
    self.message = message
  }

  public var description: String { message }
}
