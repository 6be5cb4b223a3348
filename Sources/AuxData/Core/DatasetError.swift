/// A dataset that cannot be found, is laid out wrongly, or yields inconsistent samples.
///
/// Malformed individual files throw ``AuxIO/FormatError`` instead; this error is about the
/// dataset as a whole (a missing directory, a missing file in a numbered sequence, samples whose
/// shapes disagree) and its message says what was expected and how to fix it.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
  /// What is wrong and, where possible, how to fix it.
  public let message: String
  /// The split the dataset does not have, when that is what is wrong (NYUv2 and Cityscapes as the
  /// papers use them have no validation split); callers that can do without the split test this
  /// instead of the message.
  public let missingSplit: DataSplit?

  public init(_ message: String, missingSplit: DataSplit? = nil) {
    self.message = message
    self.missingSplit = missingSplit
  }

  public var description: String { message }
}
