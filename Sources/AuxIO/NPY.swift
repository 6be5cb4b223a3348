import AuxEngine
import Foundation

/// Element types of NPY files auxmtl reads.
public enum NPYDType: String, Sendable, CaseIterable {
  case float32 = "f4", float64 = "f8", float16 = "f2"
  case int8 = "i1", int16 = "i2", int32 = "i4", int64 = "i8"
  case uint8 = "u1", uint16 = "u2", uint32 = "u4", uint64 = "u8"
  case bool = "b1"

  var size: Int {
    switch self {
    case .int8, .uint8, .bool: 1
    case .float16, .int16, .uint16: 2
    case .float32, .int32, .uint32: 4
    case .float64, .int64, .uint64: 8
    }
  }
}

/// An array read from an NPY file: its shape, its stored dtype and its values as `Float`.
public struct NPYArray: Sendable {
  public var shape: [Int]
  public var dtype: NPYDType
  /// Values in C (row-major) order, converted to `Float`.
  public var tensor: Tensor
}

/// Reading and writing NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
///
/// Layout (numpy `lib/_format_impl.py`): magic `\x93NUMPY`, major and minor version bytes, a
/// little-endian header length (u16 in v1, u32 in v2/v3), a Python dict literal with `descr`,
/// `fortran_order` and `shape`, padded with spaces and a newline, then the data. Fortran-ordered
/// arrays are transposed to C order on load. Big-endian data is byte-swapped. Object arrays
/// (pickles) are refused.
public enum NPY {
  /// Headers longer than this are refused (numpy's own default limit).
  public static let maximumHeaderLength = 10_000

  /// Reads an NPY file.
  public static func read(_ url: URL) throws -> NPYArray {
    let data: Data
    do {
      data = try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
      throw FormatError(file: url.path, "cannot read file: \(FileErrorText.describe(error))")
    }
    return try decode(data, file: url.path)
  }

  /// Decodes NPY bytes; `file` names the source in errors.
  public static func decode(_ data: Data, file: String) throws -> NPYArray {
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    guard data.count >= 10, Array(data.prefix(6)) == magic else {
      throw FormatError(file: file, "not an NPY file: expected the magic bytes \\x93NUMPY at offset 0")
    }
    let major = data[data.startIndex + 6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
      headerStart = 10
    case 2, 3:
      guard data.count >= 12 else { throw FormatError(file: file, "truncated NPY v\(major) header length field") }
      headerLength = (0..<4).reduce(0) { $0 | Int(data[data.startIndex + 8 + $1]) << (8 * $1) }
      headerStart = 12
    default:
      throw FormatError(file: file, "unsupported NPY format version \(major).\(data[data.startIndex + 7]) (supported: 1.0, 2.0, 3.0)")
    }
    guard headerLength <= maximumHeaderLength else {
      throw FormatError(file: file, "NPY header length \(headerLength) exceeds \(maximumHeaderLength) bytes")
    }
    guard headerStart + headerLength <= data.count else {
      throw FormatError(file: file, "NPY header of \(headerLength) bytes runs past the end of the file (\(data.count) bytes)")
    }
    let headerData = data.subdata(in: (data.startIndex + headerStart)..<(data.startIndex + headerStart + headerLength))
    guard let header = String(data: headerData, encoding: major == 3 ? .utf8 : .isoLatin1) else {
      throw FormatError(file: file, "NPY header is not valid text")
    }
    let (descr, fortran, shape) = try parseHeader(header, file: file)

    guard descr.count >= 3 else { throw FormatError(file: file, "NPY descr '\(descr)' is not a simple dtype") }
    let order = descr.first!
    guard "<>|=".contains(order) else {
      throw FormatError(file: file, "NPY descr '\(descr)': expected a byte-order character <, >, | or = first")
    }
    if descr.hasPrefix("|O") || descr.contains("O") {
      throw FormatError(file: file, "NPY descr '\(descr)': object arrays (pickles) are not supported")
    }
    guard let dtype = NPYDType(rawValue: String(descr.dropFirst())) else {
      throw FormatError(file: file, "NPY descr '\(descr)': unsupported dtype (supported: \(NPYDType.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    let bigEndian = order == ">"
    var count = 1
    for d in shape {
      let (p, o) = count.multipliedReportingOverflow(by: d)
      guard !o else { throw FormatError(file: file, "NPY shape \(shape) is too large") }
      count = p
    }
    let dataStart = headerStart + headerLength
    let (needed, tooLarge) = count.multipliedReportingOverflow(by: dtype.size)
    guard !tooLarge else { throw FormatError(file: file, "NPY shape \(shape) of '\(descr)' is too large") }
    guard data.count - dataStart >= needed else {
      throw FormatError(file: file, "NPY data holds \(data.count - dataStart) bytes but shape \(shape) of '\(descr)' needs \(needed)")
    }
    var tensor = Tensor.uninitialized(shape)
    data.withUnsafeBytes { raw in
      let base = raw.baseAddress! + dataStart
      let size = dtype.size
      tensor.withUnsafeMutableBufferPointer { dst in
        for i in 0..<count { dst[i] = load(base + i &* size, dtype: dtype, bigEndian: bigEndian) }
      }
    }
    if fortran && shape.count > 1 {
      // Column-major data: read it as the reversed shape, then reverse the axes.
      tensor = Autograd.withoutGradients {
        Tensor(shape: Array(shape.reversed()), scalars: tensor.scalars).permuted(Array((0..<shape.count).reversed()))
      }
    }
    return NPYArray(shape: shape, dtype: dtype, tensor: tensor)
  }

  /// Writes `tensor` as a version 1.0 NPY file of little-endian float32 (atomically).
  public static func write(_ tensor: Tensor, to url: URL) throws {
    try AtomicFile.write(encode(tensor), to: url)
  }

  /// Encodes `tensor` as NPY v1.0 bytes (`<f4`, C order).
  public static func encode(_ tensor: Tensor) -> Data {
    let shapeText: String
    switch tensor.shape.count {
    case 0: shapeText = "()"
    case 1: shapeText = "(\(tensor.shape[0]),)"
    default: shapeText = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
    }
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var out = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    let len = UInt16(header.utf8.count)
    out.append(UInt8(len & 0xFF))
    out.append(UInt8(len >> 8))
    out.append(Data(header.utf8))
    tensor.withUnsafeBufferPointer { p in
      var bytes = Data(count: p.count * 4)
      bytes.withUnsafeMutableBytes { raw in
        for i in 0..<p.count { raw.storeBytes(of: p[i].bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
      }
      out.append(bytes)
    }
    return out
  }

  // MARK: Parsing

  static func parseHeader(_ header: String, file: String) throws -> (String, Bool, [Int]) {
    func value(of key: String) throws -> Substring {
      guard let r = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else {
        throw FormatError(file: file, "NPY header has no '\(key)' key: \(header.prefix(120))")
      }
      var rest = header[r.upperBound...].drop { $0 == " " }
      guard rest.first == ":" else { throw FormatError(file: file, "NPY header: expected ':' after '\(key)'") }
      rest = rest.dropFirst().drop { $0 == " " }
      return rest
    }
    // descr: a quoted string.
    let d = try value(of: "descr")
    guard let q = d.first, q == "'" || q == "\"", let end = d.dropFirst().firstIndex(of: q) else {
      throw FormatError(file: file, "NPY header: 'descr' must be a quoted string (structured dtypes are not supported)")
    }
    let descr = String(d[d.index(after: d.startIndex)..<end])
    let f = try value(of: "fortran_order")
    let fortran: Bool
    if f.hasPrefix("True") {
      fortran = true
    } else if f.hasPrefix("False") {
      fortran = false
    } else {
      throw FormatError(file: file, "NPY header: 'fortran_order' must be True or False")
    }
    let s = try value(of: "shape")
    guard s.first == "(", let close = s.firstIndex(of: ")") else {
      throw FormatError(file: file, "NPY header: 'shape' must be a tuple")
    }
    let inner = s[s.index(after: s.startIndex)..<close]
    var shape: [Int] = []
    for part in inner.split(separator: ",") {
      let t = part.trimmingCharacters(in: .whitespaces)
      if t.isEmpty { continue }
      guard let v = Int(t), v >= 0 else {
        throw FormatError(file: file, "NPY header: shape entry '\(t)' is not a non-negative integer")
      }
      shape.append(v)
    }
    return (descr, fortran, shape)
  }

  @inline(__always)
  static func load(_ p: UnsafeRawPointer, dtype: NPYDType, bigEndian: Bool) -> Float {
    @inline(__always) func u16() -> UInt16 { let v = p.loadUnaligned(as: UInt16.self); return bigEndian ? v.byteSwapped : v }
    @inline(__always) func u32() -> UInt32 { let v = p.loadUnaligned(as: UInt32.self); return bigEndian ? v.byteSwapped : v }
    @inline(__always) func u64() -> UInt64 { let v = p.loadUnaligned(as: UInt64.self); return bigEndian ? v.byteSwapped : v }
    switch dtype {
    case .float32: return Float(bitPattern: u32())
    case .float64: return Float(Double(bitPattern: u64()))
    case .float16: return Float(Float16(bitPattern: u16()))
    case .int8: return Float(p.load(as: Int8.self))
    case .int16: return Float(Int16(bitPattern: u16()))
    case .int32: return Float(Int32(bitPattern: u32()))
    case .int64: return Float(Int64(bitPattern: u64()))
    case .uint8: return Float(p.load(as: UInt8.self))
    case .uint16: return Float(u16())
    case .uint32: return Float(u32())
    case .uint64: return Float(u64())
    case .bool: return p.load(as: UInt8.self) != 0 ? 1 : 0
    }
  }
}
