import Foundation

/// Plain words for the errors Foundation throws when reading a file or decoding JSON.
///
/// On Linux, `localizedDescription` of a Foundation file error often reads `The operation could
/// not be completed` and printing the error gives `Error Domain=NSCocoaErrorDomain Code=259 …`;
/// neither tells a user what is wrong with the file. ``describe(_:)`` says it (`no such file`,
/// `permission denied`, `not valid UTF-8 text`, `missing field 'status'`, …). Callers put the
/// file's path in front, usually as a ``FormatError``.
public enum FileErrorText {
  /// What is wrong, in words, for a Foundation read error, a `DecodingError` or a POSIX error;
  /// other errors are described as they print.
  public static func describe(_ error: any Error) -> String {
    if let e = error as? DecodingError { return describe(e) }
    if let e = error as? CocoaError { return describe(e) }
    if let e = error as? POSIXError { return posix(e.code.rawValue) }
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return posix(Int32(ns.code)) }
    if ns.domain == NSCocoaErrorDomain { return describe(CocoaError(CocoaError.Code(rawValue: ns.code), userInfo: ns.userInfo)) }
    return "\(error)"
  }

  static func describe(_ e: CocoaError) -> String {
    let underlying = (e.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? posix(Int32($0.code)) : nil }
    switch e.code {
    case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file"
    case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
    case .fileReadCorruptFile, .propertyListReadCorrupt: return "the contents are not in the expected format (damaged, truncated or another kind of file)"
    case .fileReadInapplicableStringEncoding: return "not valid UTF-8 text"
    case .fileReadTooLarge: return "the file is too large to read"
    case .fileWriteOutOfSpace: return "no space left on the device"
    case .fileReadUnknown, .fileWriteUnknown: return underlying ?? "the file could not be read (it may be a directory)"
    default: return underlying ?? "Foundation error \(e.code.rawValue)"
    }
  }

  static func describe(_ e: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
    switch e {
    case .dataCorrupted(let c):
      if c.codingPath.isEmpty { return "not valid JSON" + (c.underlyingError.map { " (\(describe($0)))" } ?? "") }
      return "field '\(path(c.codingPath))': \(c.debugDescription)"
    case .keyNotFound(let key, let c):
      return "missing field '\(path(c.codingPath + [key]))'"
    case .typeMismatch(let type, let c):
      return "field '\(path(c.codingPath))' has the wrong type (expected \(type))"
    case .valueNotFound(let type, let c):
      return "field '\(path(c.codingPath))' is null; expected a \(type)"
    @unknown default:
      return "\(e)"
    }
  }

  static func posix(_ code: Int32) -> String { String(cString: strerror(code)) }
}
