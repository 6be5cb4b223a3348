/// TFRecord framing, as TensorBoard's `record_writer.py` writes it (all little-endian):
///
/// | field                         | size     |
/// |-------------------------------|----------|
/// | length                        | u64      |
/// | masked CRC-32C of the length  | u32      |
/// | data                          | length   |
/// | masked CRC-32C of the data    | u32      |
public enum TFRecord {
  /// The framed record holding `data`.
  public static func frame(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(data.count + 16)
    var length = UInt64(data.count).littleEndian
    let header = withUnsafeBytes(of: &length) { Array($0) }
    out.append(contentsOf: header)
    appendLittleEndian(CRC32C.masked(CRC32C.checksum(header)), to: &out)
    out.append(contentsOf: data)
    appendLittleEndian(CRC32C.masked(CRC32C.checksum(data)), to: &out)
    return out
  }

  private static func appendLittleEndian(_ v: UInt32, to out: inout [UInt8]) {
    for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
  }
}
