extension TFRecord {
  /// The records of a TFRecord file, in order, as byte ranges of their data in `bytes`.
  ///
  /// Reading stops at the first record that is truncated or fails either CRC: a process killed
  /// while appending leaves at most a torn last record, and everything before it is intact (this
  /// is also how TensorBoard reads a file that is still being written).
  ///
  /// - Returns: the data ranges of the intact records and the byte offset where they end.
  public static func intactRecords(in bytes: [UInt8]) -> (records: [Range<Int>], end: Int) {
    var out: [Range<Int>] = []
    var i = 0
    func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
    while i + 12 <= bytes.count {
      let header = Array(bytes[i..<(i + 8)])
      guard u32(i + 8) == CRC32C.masked(CRC32C.checksum(header)) else { break }
      let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(header[$1]) << (8 * UInt64($1)) }
      guard length <= UInt64(bytes.count - i - 16) else { break }
      let data = (i + 12)..<(i + 12 + Int(length))
      guard u32(data.upperBound) == CRC32C.masked(CRC32C.checksum(Array(bytes[data]))) else { break }
      out.append(data)
      i = data.upperBound + 4
    }
    return (out, i)
  }
}
