import AuxEngine
import Foundation

/// Element types of IDX files (the MNIST format), by their type byte.
public enum IDXDataType: UInt8, Sendable, CaseIterable {
  case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

  /// Bytes per element.
  public var size: Int {
    switch self {
    case .uint8, .int8: 1
    case .int16: 2
    case .int32, .float32: 4
    case .float64: 8
    }
  }
}

/// An array read from an IDX file: its element type, its shape and its raw payload.
///
/// The payload is kept as the file's bytes (big-endian, C order) so that the 47 MB of
/// Fashion-MNIST training images stay bytes until a sample is needed; ``tensor()`` and
/// ``bytes()`` convert.
public struct IDXArray: Sendable {
  /// The element type from the magic number.
  public var dataType: IDXDataType
  /// Dimensions, outermost first.
  public var shape: [Int]
  /// The elements as stored: big-endian, row-major.
  public var payload: Data

  public init(dataType: IDXDataType, shape: [Int], payload: Data) {
    self.dataType = dataType
    self.shape = shape
    self.payload = payload
  }

  /// Number of elements.
  public var count: Int { shape.reduce(1, *) }

  /// The elements converted to `Float`, with the array's shape.
  public func tensor() -> Tensor {
    var t = Tensor.uninitialized(shape)
    let type = dataType
    payload.withUnsafeBytes { raw in
      t.withUnsafeMutableBufferPointer { dst in
        guard let base = raw.baseAddress else { return }
        for i in 0..<dst.count { dst[i] = IDX.load(base + i &* type.size, type) }
      }
    }
    return t
  }

  /// The elements of a `uint8` array as bytes (no conversion).
  ///
  /// - Precondition: `dataType == .uint8`.
  public func bytes() -> [UInt8] {
    precondition(dataType == .uint8, "IDXArray.bytes: array holds \(dataType), not uint8")
    return [UInt8](payload)
  }
}

/// Reading and writing IDX files, raw or gzip-compressed.
///
/// Layout (LeCun's MNIST page): a 4-byte magic `00 00 TT DD` where `TT` is the element type
/// (``IDXDataType``) and `DD` the number of dimensions, then `DD` big-endian `UInt32` sizes, then
/// the elements, big-endian, in C order. The payload must hold exactly the elements the sizes
/// announce. Files starting with the gzip magic are inflated first (through zlib).
public enum IDX {
  /// Reads an IDX file, inflating it first when it is gzip-compressed.
  public static func read(_ url: URL) throws -> IDXArray {
    let data: Data
    do {
      data = try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
      throw FormatError(file: url.path, "cannot read file: \(FileErrorText.describe(error))")
    }
    return try decode(data, file: url.path)
  }

  /// Decodes IDX bytes (raw or gzip); `file` names the source in errors.
  public static func decode(_ data: Data, file: String) throws -> IDXArray {
    let raw = Gzip.isGzip(data) ? try Gzip.decompress(data, file: file) : data
    return try decodeRaw(raw, file: file)
  }

  static func decodeRaw(_ data: Data, file: String) throws -> IDXArray {
    let bytes = [UInt8](data.prefix(4))
    guard bytes.count == 4 else {
      throw FormatError(file: file, "file has \(data.count) bytes; an IDX file starts with a 4-byte magic number")
    }
    guard bytes[0] == 0, bytes[1] == 0 else {
      throw FormatError(file: file, String(format: "not an IDX file: magic starts with %02X %02X, expected 00 00", bytes[0], bytes[1]))
    }
    guard let type = IDXDataType(rawValue: bytes[2]) else {
      throw FormatError(file: file, String(format: "IDX type byte 0x%02X at offset 2 is not one of 08 (u8), 09 (i8), 0B (i16), 0C (i32), 0D (f32), 0E (f64)", bytes[2]))
    }
    let rank = Int(bytes[3])
    let headerLength = 4 + 4 * rank
    guard data.count >= headerLength else {
      throw FormatError(file: file, "IDX header announces \(rank) dimensions (\(headerLength) header bytes) but the file has \(data.count) bytes")
    }
    var shape: [Int] = []
    var count = 1
    let start = data.startIndex
    for d in 0..<rank {
      var v = 0
      for k in 0..<4 { v = v << 8 | Int(data[start + 4 + 4 * d + k]) }
      shape.append(v)
      let (p, o) = count.multipliedReportingOverflow(by: v)
      guard !o else { throw FormatError(file: file, "IDX dimensions \(shape) are too large") }
      count = p
    }
    let (needed, o) = count.multipliedReportingOverflow(by: type.size)
    let found = data.count - headerLength
    guard !o, needed == found else {
      throw FormatError(file: file, "IDX dimensions \(shape) of \(type) need \(o ? "more than Int.max" : String(needed)) data bytes after the \(headerLength)-byte header, found \(found)")
    }
    return IDXArray(dataType: type, shape: shape, payload: data.subdata(in: (start + headerLength)..<data.endIndex))
  }

  /// Encodes `array` as IDX bytes (uncompressed).
  ///
  /// - Precondition: the payload holds exactly the elements of the shape, and every dimension fits
  ///   in a `UInt32`.
  public static func encode(_ array: IDXArray) -> Data {
    precondition(array.shape.count <= 255, "IDX.encode: at most 255 dimensions, got \(array.shape.count)")
    precondition(array.shape.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) }, "IDX.encode: dimensions \(array.shape) must fit in UInt32")
    precondition(array.payload.count == array.count * array.dataType.size,
      "IDX.encode: payload of \(array.payload.count) bytes does not match shape \(array.shape) of \(array.dataType)")
    var out = Data([0, 0, array.dataType.rawValue, UInt8(array.shape.count)])
    for d in array.shape {
      out.append(contentsOf: [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)])
    }
    out.append(array.payload)
    return out
  }

  /// Writes `array` as an IDX file (gzip-compressed when `gzip` is true), atomically.
  public static func write(_ array: IDXArray, to url: URL, gzip: Bool = false) throws {
    let raw = encode(array)
    try AtomicFile.write(gzip ? Gzip.compress(raw) : raw, to: url)
  }

  @inline(__always)
  static func load(_ p: UnsafeRawPointer, _ type: IDXDataType) -> Float {
    switch type {
    case .uint8: return Float(p.load(as: UInt8.self))
    case .int8: return Float(p.load(as: Int8.self))
    case .int16: return Float(Int16(bitPattern: UInt16(bigEndian: p.loadUnaligned(as: UInt16.self))))
    case .int32: return Float(Int32(bitPattern: UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))))
    case .float32: return Float(bitPattern: UInt32(bigEndian: p.loadUnaligned(as: UInt32.self)))
    case .float64: return Float(Double(bitPattern: UInt64(bigEndian: p.loadUnaligned(as: UInt64.self))))
    }
  }
}
