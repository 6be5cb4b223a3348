/// A minimal protocol-buffers wire-format encoder: just the field kinds TensorBoard events use
/// (varint, 64-bit, 32-bit and length-delimited fields), appended in the order written.
///
/// Field numbers and types are the caller's; see ``TensorBoardEvent`` for the event schema.
public struct ProtobufEncoder: Sendable {
  /// The bytes written so far.
  public private(set) var bytes: [UInt8] = []

  public init() {}

  /// Appends a base-128 varint (negative int64 values as their 10-byte two's complement, as
  /// protobuf encodes `int64`).
  public mutating func appendVarint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  private mutating func appendKey(_ field: Int, wireType: UInt64) {
    precondition(field > 0 && field < 1 << 29, "ProtobufEncoder: field number \(field) is out of range")
    appendVarint(UInt64(field) << 3 | wireType)
  }

  /// An `int64`/`int32`/`uint64`/`bool` field (wire type 0).
  public mutating func appendInt64(field: Int, _ value: Int64) {
    appendKey(field, wireType: 0)
    appendVarint(UInt64(bitPattern: value))
  }

  /// A `double` field (wire type 1, little-endian).
  public mutating func appendDouble(field: Int, _ value: Double) {
    appendKey(field, wireType: 1)
    let bits = value.bitPattern
    for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
  }

  /// A `float` field (wire type 5, little-endian).
  public mutating func appendFloat(field: Int, _ value: Float) {
    appendKey(field, wireType: 5)
    let bits = value.bitPattern
    for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
  }

  /// A `bytes` or embedded-message field (wire type 2).
  public mutating func appendBytes(field: Int, _ value: [UInt8]) {
    appendKey(field, wireType: 2)
    appendVarint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  /// A `string` field (wire type 2, UTF-8).
  public mutating func appendString(field: Int, _ value: String) {
    appendBytes(field: field, Array(value.utf8))
  }
}
