/// CRC-32C (Castagnoli), the checksum of TFRecord framing.
///
/// Reflected polynomial 0x82F63B78, initial value 0xFFFFFFFF, final xor 0xFFFFFFFF (RFC 3720
/// test vectors: `"123456789"` → 0xE3069283). ``masked(_:)`` applies TensorFlow's mask.
public enum CRC32C {
  private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    return c
  }

  /// The CRC-32C of `bytes`.
  public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    table.withUnsafeBufferPointer { t in
      var crc: UInt32 = 0xFFFF_FFFF
      for b in bytes { crc = t[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
      return crc ^ 0xFFFF_FFFF
    }
  }

  /// The CRC-32C of a byte sequence.
  public static func checksum<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
    let array = Array(bytes)
    return array.withUnsafeBytes { checksum($0) }
  }

  /// TensorFlow's masked CRC (`masked_crc32c`): rotate right by 15 bits, add 0xA282EAD8 mod 2³².
  public static func masked(_ crc: UInt32) -> UInt32 {
    ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
  }
}
