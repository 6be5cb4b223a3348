import AuxEngine
import CTIFF
import Foundation

/// A single-channel integer TIFF image (the format of Cityscapes-Panoptic-Parts labels).
///
/// ``values`` keeps the samples exactly (Cityscapes part uids reach 9 999 999, and `UInt32`
/// samples may exceed `Float`'s 2^24 exact range); ``tensor()`` converts to `Float`.
public struct TIFFImage: Sendable, Equatable {
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int
  /// Bits per sample: 8, 16 or 32.
  public var bitsPerSample: Int
  /// Whether samples are signed integers (TIFF SampleFormat 2) rather than unsigned (1).
  public var isSigned: Bool
  /// Samples in row-major order.
  public var values: [Int64]

  public init(width: Int, height: Int, bitsPerSample: Int, isSigned: Bool, values: [Int64]) {
    precondition([8, 16, 32].contains(bitsPerSample), "TIFFImage: bitsPerSample must be 8, 16 or 32, got \(bitsPerSample)")
    precondition(values.count == width * height, "TIFFImage: \(values.count) values for \(width)x\(height) pixels")
    self.width = width
    self.height = height
    self.bitsPerSample = bitsPerSample
    self.isSigned = isSigned
    self.values = values
  }

  /// The samples as a `[1, height, width]` `Float` tensor (exact for magnitudes below 2^24).
  public func tensor() -> Tensor {
    var t = Tensor.uninitialized([1, height, width])
    values.withUnsafeBufferPointer { src in
      t.withUnsafeMutableBufferPointer { dst in
        for i in 0..<dst.count { dst[i] = Float(src[i]) }
      }
    }
    return t
  }
}

/// Compression schemes ``TIFFCodec/write(_:to:compression:)`` can use.
public enum TIFFCompression: Int32, Sendable, CaseIterable {
  case none = 1, lzw = 5, deflate = 8, packBits = 32773
}

/// TIFF reading and writing through libtiff (Debian `libtiff-dev`, system-library target `CTIFF`).
///
/// Reads the first image of a file: one sample per pixel, 8/16/32-bit unsigned or signed
/// integers, in strips or tiles, with any compression libtiff supports. This covers the uint32
/// TIFFs of Cityscapes-Panoptic-Parts and the int32 (PIL mode `I`) files Auto-Lambda's
/// preprocessing writes.
public enum TIFFCodec {
  /// Reads and decodes a TIFF file.
  public static func read(_ url: URL) throws -> TIFFImage {
    let data: Data
    do {
      data = try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
      throw FormatError(file: url.path, "cannot read file: \(FileErrorText.describe(error))")
    }
    return try decode(data, file: url.path)
  }

  /// Decodes TIFF bytes; `file` names the source in errors.
  ///
  /// Images claiming more pixels than 8192 per input byte (plus 2^20), or more than 2^28 pixels,
  /// are refused before anything is allocated.
  public static func decode(_ data: Data, file: String) throws -> TIFFImage {
    guard data.count >= 8 else {
      throw FormatError(file: file, "file has \(data.count) bytes; a TIFF file starts with an 8-byte header (II*\\0 or MM\\0*)")
    }
    let maxPixels = UInt64(min(1 << 28, data.count * 8192 + (1 << 20)))
    var result = auxmtl_tiff_result()
    var message = ""
    let rc = data.withUnsafeBytes { raw -> Int32 in
      var io = auxmtl_tiff_io()
      io.data = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
      io.size = raw.count
      let rc = auxmtl_tiff_decode(&io, maxPixels, &result)
      if rc != 0 {
        message = withUnsafeBytes(of: &io.message) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
      }
      return rc
    }
    guard rc == 0 else { throw FormatError(file: file, message.isEmpty ? "cannot decode TIFF" : message) }
    defer { free(result.values) }
    let n = Int(result.width) * Int(result.height)
    let values = [Int64](UnsafeBufferPointer(start: result.values, count: n))
    return TIFFImage(
      width: Int(result.width), height: Int(result.height), bitsPerSample: Int(result.bits_per_sample),
      isSigned: result.is_signed != 0, values: values)
  }

  /// Writes `image` as a single-strip-per-16-rows TIFF, atomically (written to a temporary file in
  /// the same directory, then renamed).
  ///
  /// - Throws: ``FormatError`` when a value does not fit the image's sample type, or when libtiff
  ///   cannot write the file.
  public static func write(_ image: TIFFImage, to url: URL, compression: TIFFCompression = .deflate) throws {
    let bytes = image.bitsPerSample / 8
    let range: ClosedRange<Int64> = image.isSigned
      ? -(Int64(1) << (image.bitsPerSample - 1))...(Int64(1) << (image.bitsPerSample - 1) - 1)
      : 0...(Int64(1) << image.bitsPerSample - 1)
    if let bad = image.values.first(where: { !range.contains($0) }) {
      throw FormatError(file: url.path, "value \(bad) does not fit \(image.isSigned ? "signed" : "unsigned") \(image.bitsPerSample)-bit samples")
    }
    var raw = [UInt8](repeating: 0, count: image.values.count * bytes)
    raw.withUnsafeMutableBytes { dst in
      for (i, v) in image.values.enumerated() {
        switch bytes {
        case 1: dst.storeBytes(of: UInt8(truncatingIfNeeded: v), toByteOffset: i, as: UInt8.self)
        case 2: dst.storeBytes(of: UInt16(truncatingIfNeeded: v), toByteOffset: 2 * i, as: UInt16.self)
        default: dst.storeBytes(of: UInt32(truncatingIfNeeded: v), toByteOffset: 4 * i, as: UInt32.self)
        }
      }
    }
    let dir = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
    var io = auxmtl_tiff_io()
    let rc = raw.withUnsafeBytes { src in
      auxmtl_tiff_write(tmp.path, UInt32(image.width), UInt32(image.height), Int32(image.bitsPerSample),
        image.isSigned ? 1 : 0, compression.rawValue, src.baseAddress, &io)
    }
    guard rc == 0 else {
      try? FileManager.default.removeItem(at: tmp)
      let message = withUnsafeBytes(of: &io.message) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
      throw FormatError(file: url.path, message)
    }
    if rename(tmp.path, url.path) != 0 {
      let err = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: tmp)
      throw FormatError(file: url.path, "cannot rename temporary file into place: \(err)")
    }
  }
}
