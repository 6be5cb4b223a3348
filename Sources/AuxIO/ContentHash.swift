import Foundation

/// A stable 64-bit FNV-1a hash of bytes, written as 16 hex digits: what cache keys are made of
/// (the same on every machine and run; not a cryptographic hash).
public enum ContentHash {
  /// The FNV-1a hash of `bytes`.
  public static func fnv1a(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
    var h = seed
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01B3
    }
    return h
  }

  /// The hash of a text's UTF-8 bytes, as 16 hex digits.
  public static func hex(_ text: String) -> String {
    var s = text
    return hex(s.withUTF8 { fnv1a(UnsafeRawBufferPointer($0)) })
  }

  /// The hash of a file's bytes, as 16 hex digits.
  ///
  /// - Throws: ``FormatError`` when the file cannot be read.
  public static func hex(file url: URL) throws -> String {
    let data: Data
    do {
      data = try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
      throw FormatError(file: url.path, "cannot read the file to hash it: \(error.localizedDescription)")
    }
    return hex(data.withUnsafeBytes { fnv1a($0) })
  }

  /// 16 lower-case hex digits of `value`.
  public static func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}
