import AuxEngine
import Foundation

/// Element types of safetensors files that auxmtl reads and writes.
public enum SafetensorsDType: String, Sendable, CaseIterable {
  case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
  case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
  case u8 = "U8", bool = "BOOL"

  /// Bytes per element.
  public var size: Int {
    switch self {
    case .f64, .i64: 8
    case .f32, .i32: 4
    case .f16, .bf16, .i16: 2
    case .i8, .u8, .bool: 1
    }
  }
}

/// The contents of a safetensors file: named tensors (converted to `Float`), each one's stored
/// dtype, and the free-form string metadata.
///
/// Layout (huggingface/safetensors): an 8-byte little-endian header length `N`, `N` bytes of JSON
/// mapping names to `{dtype, shape, data_offsets}` (plus an optional `__metadata__` string map),
/// then the tensor bytes, little-endian, row-major, without holes.
public struct SafetensorsArchive: Sendable {
  /// Tensors by name, as `Float`.
  public var tensors: [String: Tensor]
  /// The dtype each tensor had (or will have) in the file.
  public var dtypes: [String: SafetensorsDType]
  /// The `__metadata__` map.
  public var metadata: [String: String]

  public init(tensors: [String: Tensor] = [:], dtypes: [String: SafetensorsDType] = [:], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.dtypes = dtypes
    self.metadata = metadata
  }

  /// The tensor named `name`, or an error naming the file and the names it does have.
  public func tensor(_ name: String, file: String = "safetensors archive") throws -> Tensor {
    guard let t = tensors[name] else {
      let have = tensors.keys.sorted().prefix(20).joined(separator: ", ")
      throw FormatError(file: file, "no tensor named '\(name)' (it has: \(have)\(tensors.count > 20 ? ", …" : ""))")
    }
    return t
  }
}

/// Reading and writing safetensors files.
public enum Safetensors {
  /// Readers reject headers longer than this, as the reference implementation does.
  public static let maximumHeaderLength = 100_000_000

  /// Reads a safetensors file.
  public static func read(_ url: URL) throws -> SafetensorsArchive {
    let data: Data
    do {
      data = try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
      throw FormatError(file: url.path, "cannot read file: \(FileErrorText.describe(error))")
    }
    return try decode(data, file: url.path)
  }

  /// Decodes safetensors bytes; `file` names the source in error messages.
  public static func decode(_ data: Data, file: String) throws -> SafetensorsArchive {
    guard data.count >= 8 else {
      throw FormatError(file: file, "file has \(data.count) bytes; a safetensors file starts with an 8-byte header length")
    }
    let n = data.withUnsafeBytes { raw -> UInt64 in
      var v: UInt64 = 0
      for i in 0..<8 { v |= UInt64(raw[i]) << (8 * UInt64(i)) }
      return v
    }
    guard n <= UInt64(maximumHeaderLength) else {
      throw FormatError(file: file, "header length \(n) exceeds the limit of \(maximumHeaderLength) bytes")
    }
    let headerEnd = 8 + Int(n)
    guard headerEnd <= data.count else {
      throw FormatError(file: file, "header length \(n) runs past the end of the file (\(data.count) bytes)")
    }
    let headerBytes = data.subdata(in: 8..<headerEnd)
    guard headerBytes.first == UInt8(ascii: "{") else {
      throw FormatError(file: file, "header does not start with '{' (found byte \(headerBytes.first.map { String($0) } ?? "none"))")
    }
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: headerBytes)
    } catch {
      throw FormatError(file: file, "header is not valid JSON: \(FileErrorText.describe(error))")
    }
    guard let header = json as? [String: Any] else {
      throw FormatError(file: file, "header JSON is not an object")
    }

    var archive = SafetensorsArchive()
    struct Span { let name: String; let begin: Int; let end: Int }
    var spans: [Span] = []
    let dataStart = headerEnd
    let dataLength = data.count - dataStart

    for (name, value) in header {
      if name == "__metadata__" {
        guard let meta = value as? [String: Any] else {
          throw FormatError(file: file, "__metadata__ must be an object of strings")
        }
        for (k, v) in meta {
          guard let s = v as? String else {
            throw FormatError(file: file, "__metadata__ value for '\(k)' is not a string")
          }
          archive.metadata[k] = s
        }
        continue
      }
      guard let entry = value as? [String: Any] else {
        throw FormatError(file: file, "entry '\(name)' is not an object")
      }
      guard let dtypeName = entry["dtype"] as? String else {
        throw FormatError(file: file, "entry '\(name)': missing string field 'dtype'")
      }
      guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
        throw FormatError(file: file, "entry '\(name)': unsupported dtype '\(dtypeName)' (supported: \(SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      guard let shapeAny = entry["shape"] as? [Any] else {
        throw FormatError(file: file, "entry '\(name)': missing array field 'shape'")
      }
      let shape = try shapeAny.map { v -> Int in
        guard let i = (v as? NSNumber)?.intValue, i >= 0 else {
          throw FormatError(file: file, "entry '\(name)': shape \(shapeAny) contains a non-integer or negative dimension")
        }
        return i
      }
      guard let offs = entry["data_offsets"] as? [Any], offs.count == 2,
        let b = (offs[0] as? NSNumber)?.intValue, let e = (offs[1] as? NSNumber)?.intValue
      else {
        throw FormatError(file: file, "entry '\(name)': 'data_offsets' must be two integers")
      }
      var elementCount = 1
      for d in shape {
        let (p, overflow) = elementCount.multipliedReportingOverflow(by: d)
        guard !overflow else { throw FormatError(file: file, "entry '\(name)': shape \(shape) is too large") }
        elementCount = p
      }
      guard b >= 0, e >= b, e <= dataLength else {
        throw FormatError(file: file, "entry '\(name)': data_offsets [\(b), \(e)] outside the data area of \(dataLength) bytes")
      }
      let (byteCount, tooLarge) = elementCount.multipliedReportingOverflow(by: dtype.size)
      guard !tooLarge else { throw FormatError(file: file, "entry '\(name)': shape \(shape) is too large") }
      guard e - b == byteCount else {
        throw FormatError(file: file, "entry '\(name)': data_offsets span \(e - b) bytes but shape \(shape) of \(dtypeName) needs \(elementCount * dtype.size)")
      }
      spans.append(Span(name: name, begin: b, end: e))
      archive.dtypes[name] = dtype
      archive.tensors[name] = data.withUnsafeBytes { raw in
        convert(raw.baseAddress! + dataStart + b, count: elementCount, dtype: dtype, shape: shape)
      }
    }
    // The data area must be covered exactly, without holes or overlaps.
    spans.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
    var cursor = 0
    for s in spans {
      guard s.begin == cursor else {
        throw FormatError(file: file, "tensor '\(s.name)' starts at byte \(s.begin) of the data area; expected \(cursor) (hole or overlap)")
      }
      cursor = s.end
    }
    guard cursor == dataLength else {
      throw FormatError(file: file, "tensors cover \(cursor) bytes but the data area has \(dataLength)")
    }
    return archive
  }

  /// Writes `archive` to `url` atomically. Tensors are written with the dtype recorded in
  /// `archive.dtypes` (`F32` when absent; integer dtypes round to nearest).
  public static func write(_ archive: SafetensorsArchive, to url: URL) throws {
    try AtomicFile.write(encode(archive), to: url)
  }

  /// Encodes an archive as safetensors bytes (names sorted, data 8-byte aligned).
  public static func encode(_ archive: SafetensorsArchive) -> Data {
    let names = archive.tensors.keys.sorted()
    var header = "{"
    var parts: [String] = []
    if !archive.metadata.isEmpty {
      let meta = archive.metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(archive.metadata[$0]!))" }
      parts.append("\"__metadata__\":{\(meta.joined(separator: ","))}")
    }
    var offset = 0
    for name in names {
      let t = archive.tensors[name]!
      let dtype = archive.dtypes[name] ?? .f32
      let bytes = t.count * dtype.size
      parts.append("\(jsonString(name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
      offset += bytes
    }
    header += parts.joined(separator: ",") + "}"
    var headerData = Data(header.utf8)
    while (8 + headerData.count) % 8 != 0 { headerData.append(0x20) }
    var out = Data(capacity: 8 + headerData.count + offset)
    var len = UInt64(headerData.count).littleEndian
    withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
    out.append(headerData)
    for name in names {
      let t = archive.tensors[name]!
      let dtype = archive.dtypes[name] ?? .f32
      out.append(encodeValues(t, dtype: dtype))
    }
    return out
  }

  static func convert(_ p: UnsafeRawPointer, count: Int, dtype: SafetensorsDType, shape: [Int]) -> Tensor {
    var t = Tensor.uninitialized(shape)
    t.withUnsafeMutableBufferPointer { dst in
      for i in 0..<count {
        let q = p + i * dtype.size
        let v: Float
        switch dtype {
        case .f32: v = Float(bitPattern: q.loadUnaligned(as: UInt32.self).littleEndian)
        case .f64: v = Float(Double(bitPattern: q.loadUnaligned(as: UInt64.self).littleEndian))
        case .f16: v = Float(Float16(bitPattern: q.loadUnaligned(as: UInt16.self).littleEndian))
        case .bf16: v = Float(bitPattern: UInt32(q.loadUnaligned(as: UInt16.self).littleEndian) << 16)
        case .i64: v = Float(Int64(littleEndian: q.loadUnaligned(as: Int64.self)))
        case .i32: v = Float(Int32(littleEndian: q.loadUnaligned(as: Int32.self)))
        case .i16: v = Float(Int16(littleEndian: q.loadUnaligned(as: Int16.self)))
        case .i8: v = Float(q.load(as: Int8.self))
        case .u8: v = Float(q.load(as: UInt8.self))
        case .bool: v = q.load(as: UInt8.self) != 0 ? 1 : 0
        }
        dst[i] = v
      }
    }
    return t
  }

  static func encodeValues(_ t: Tensor, dtype: SafetensorsDType) -> Data {
    var d = Data(count: t.count * dtype.size)
    t.withUnsafeBufferPointer { src in
      d.withUnsafeMutableBytes { raw in
        let base = raw.baseAddress!
        for i in 0..<src.count {
          let q = base + i * dtype.size
          let v = src[i]
          switch dtype {
          case .f32: q.storeBytes(of: v.bitPattern.littleEndian, as: UInt32.self)
          case .f64: q.storeBytes(of: Double(v).bitPattern.littleEndian, as: UInt64.self)
          case .f16: q.storeBytes(of: Float16(v).bitPattern.littleEndian, as: UInt16.self)
          case .bf16: q.storeBytes(of: UInt16(truncatingIfNeeded: v.bitPattern >> 16).littleEndian, as: UInt16.self)
          case .i64: q.storeBytes(of: Int64(v.rounded()).littleEndian, as: Int64.self)
          case .i32: q.storeBytes(of: Int32(v.rounded()).littleEndian, as: Int32.self)
          case .i16: q.storeBytes(of: Int16(v.rounded()).littleEndian, as: Int16.self)
          case .i8: q.storeBytes(of: Int8(v.rounded()), as: Int8.self)
          case .u8: q.storeBytes(of: UInt8(v.rounded()), as: UInt8.self)
          case .bool: q.storeBytes(of: UInt8(v != 0 ? 1 : 0), as: UInt8.self)
          }
        }
      }
    }
    return d
  }

  static func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 {
          out += String(format: "\\u%04x", u.value)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
