import CZlib
import Foundation

/// gzip (RFC 1952) compression and decompression through zlib.
///
/// Used for the `.gz` IDX files that Fashion-MNIST ships as, and available for any other
/// compressed input. Concatenated gzip members are decoded one after the other, as `gunzip` does.
public enum Gzip {
  /// Decompressed outputs larger than this are refused (a guard against decompression bombs).
  public static let defaultMaximumOutput = 1 << 32

  /// Whether `data` starts with the gzip magic bytes `1F 8B`.
  public static func isGzip(_ data: Data) -> Bool {
    data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
  }

  /// Decompresses gzip bytes; `file` names the source in errors.
  ///
  /// - Throws: ``FormatError`` when the data is not gzip, is corrupt or truncated, or inflates to
  ///   more than `maximumOutput` bytes.
  public static func decompress(_ data: Data, file: String, maximumOutput: Int = defaultMaximumOutput) throws -> Data {
    guard isGzip(data) else {
      throw FormatError(file: file, "not a gzip stream: expected the magic bytes 1F 8B at offset 0")
    }
    var stream = z_stream()
    // inflateInit2 is a macro; 16 + MAX_WBITS selects gzip decoding.
    var rc = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard rc == Z_OK else { throw FormatError(file: file, "zlib inflateInit2 failed (code \(rc))") }
    defer { inflateEnd(&stream) }

    // The gzip trailer's ISIZE (output size mod 2^32) is a good first guess for the buffer.
    var capacity = 1 << 16
    if data.count >= 18 {
      let tail = data.suffix(4)
      let isize = tail.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
      capacity = max(capacity, isize)
    }
    capacity = max(1, min(capacity, maximumOutput))
    var out = Data(count: capacity)
    var produced = 0
    try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
      guard let inBase = input.baseAddress else { return }
      stream.next_in = UnsafeMutablePointer(mutating: inBase.assumingMemoryBound(to: Bytef.self))
      stream.avail_in = uInt(input.count)
      while true {
        if produced == out.count {
          guard out.count < maximumOutput else {
            throw FormatError(file: file, "gzip data inflates to more than \(maximumOutput) bytes")
          }
          out.count = min(maximumOutput, out.count * 2)
        }
        rc = out.withUnsafeMutableBytes { (o: UnsafeMutableRawBufferPointer) -> Int32 in
          let room = min(o.count - produced, Int(UInt32.max))
          stream.next_out = o.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
          stream.avail_out = uInt(room)
          let r = inflate(&stream, Z_NO_FLUSH)
          produced += room - Int(stream.avail_out)
          return r
        }
        switch rc {
        case Z_OK:
          continue
        case Z_STREAM_END:
          // Another member may follow (concatenated .gz files); trailing zero padding is allowed.
          let rest = Int(stream.avail_in)
          if rest == 0 { return }
          let offset = input.count - rest
          if input[offset...].allSatisfy({ $0 == 0 }) { return }
          guard rest >= 2, input[offset] == 0x1F, input[offset + 1] == 0x8B else {
            throw FormatError(file: file, "\(rest) bytes of garbage after the gzip stream at offset \(offset)")
          }
          guard inflateReset(&stream) == Z_OK else {
            throw FormatError(file: file, "zlib inflateReset failed")
          }
        case Z_BUF_ERROR:
          if stream.avail_in == 0 {
            throw FormatError(file: file, "gzip stream is truncated (\(input.count) bytes read, \(produced) bytes inflated)")
          }
          continue
        default:
          let msg = stream.msg.map { String(cString: $0) } ?? "code \(rc)"
          throw FormatError(file: file, "corrupt gzip data after \(input.count - Int(stream.avail_in)) input bytes: \(msg)")
        }
      }
    }
    out.count = produced
    return out
  }

  /// Compresses `data` as a single gzip member at the given zlib `level` (0–9).
  public static func compress(_ data: Data, level: Int32 = 6) -> Data {
    precondition((0...9).contains(level), "Gzip.compress: level must be in 0...9, got \(level)")
    var stream = z_stream()
    let rc = deflateInit2_(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(rc == Z_OK, "Gzip.compress: deflateInit2 failed (code \(rc))")
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(data.count))) + 32
    var out = Data(count: bound)
    data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
      out.withUnsafeMutableBytes { (o: UnsafeMutableRawBufferPointer) in
        stream.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
        stream.avail_in = uInt(input.count)
        stream.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(o.count)
        let r = deflate(&stream, Z_FINISH)
        precondition(r == Z_STREAM_END, "Gzip.compress: deflate did not finish (code \(r))")
      }
    }
    out.count = Int(stream.total_out)
    return out
  }
}
