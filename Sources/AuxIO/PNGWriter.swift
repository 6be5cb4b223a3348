import AuxEngine
import CZlib
import Foundation

/// Writing 8-bit PNG images (grayscale, RGB, RGBA) for previews and reports.
///
/// Layout (PNG specification, ISO/IEC 15948): the 8-byte signature, an `IHDR` chunk (width,
/// height, bit depth 8, colour type 0/2/6, compression 0, filter 0, no interlace), one `IDAT`
/// chunk holding the zlib stream (`compress2`) of the filtered scanlines, and `IEND`. Each chunk
/// is length (big-endian u32), type, data, CRC-32 (zlib's `crc32`) over type and data.
///
/// Every scanline gets the filter (None, Sub, Up, Average or Paeth) that minimises the sum of
/// absolute filtered bytes taken as signed values, the heuristic libpng uses by default.
/// Decoding is not part of this type.
public enum PNGWriter {
  /// The PNG colour types this writer emits (all with 8 bits per sample).
  public enum ColorType: UInt8, Sendable, CaseIterable {
    /// One gray sample per pixel (colour type 0).
    case gray = 0
    /// Red, green, blue (colour type 2).
    case rgb = 2
    /// Red, green, blue, alpha (colour type 6, straight alpha).
    case rgba = 6

    /// Samples per pixel.
    public var channels: Int {
      switch self {
      case .gray: 1
      case .rgb: 3
      case .rgba: 4
      }
    }

    /// The colour type for a channel count (1, 3 or 4), or nil.
    public init?(channels: Int) {
      switch channels {
      case 1: self = .gray
      case 3: self = .rgb
      case 4: self = .rgba
      default: return nil
      }
    }
  }

  /// The PNG file signature.
  public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

  /// Encodes interleaved 8-bit samples (row-major, `height × width × channels`) as PNG bytes.
  ///
  /// - Parameters:
  ///   - pixels: `width · height · colorType.channels` bytes, rows top to bottom, samples
  ///     interleaved (`RGBRGB…`).
  ///   - compressionLevel: zlib level 0 (store) … 9 (smallest); default 9.
  public static func encode(
    pixels: [UInt8], width: Int, height: Int, colorType: ColorType, compressionLevel: Int32 = 9
  ) -> Data {
    precondition(width > 0 && height > 0 && width <= 0x7FFF_FFFF && height <= 0x7FFF_FFFF,
                 "PNGWriter.encode: image size \(width)×\(height) must be positive and below 2^31")
    precondition(pixels.count == width * height * colorType.channels,
                 "PNGWriter.encode: \(pixels.count) bytes cannot fill a \(width)×\(height) \(colorType) image (\(width * height * colorType.channels) bytes)")
    precondition((0...9).contains(compressionLevel),
                 "PNGWriter.encode: compression level \(compressionLevel) must be in 0...9")
    let filtered = pixels.withUnsafeBufferPointer {
      filterScanlines($0, width: width, height: height, bytesPerPixel: colorType.channels)
    }
    let compressed = deflateZlib(filtered, level: compressionLevel)

    var out = Data(signature)
    var ihdr = Data()
    appendU32(&ihdr, UInt32(width))
    appendU32(&ihdr, UInt32(height))
    ihdr.append(contentsOf: [8, colorType.rawValue, 0, 0, 0])
    appendChunk(&out, type: "IHDR", data: ihdr)
    appendChunk(&out, type: "IDAT", data: compressed)
    appendChunk(&out, type: "IEND", data: Data())
    return out
  }

  /// Encodes an image tensor `[C, H, W]` with values in [0, 1] (C = 1, 3 or 4) as an 8-bit PNG.
  ///
  /// Values are clamped to [0, 1] and mapped to `round(255 · v)` (torchvision's `to_pil_image`
  /// convention for float images uses `mul(255).byte()`, which truncates; rounding is used here so
  /// that 8-bit values round-trip exactly through `v / 255`). NaN maps to 0.
  public static func encode(image: Tensor, compressionLevel: Int32 = 9) -> Data {
    precondition(image.rank == 3, "PNGWriter.encode(image:): expected a [C, H, W] tensor, got shape \(image.shape)")
    let (c, h, w) = (image.shape[0], image.shape[1], image.shape[2])
    guard let type = ColorType(channels: c) else {
      preconditionFailure("PNGWriter.encode(image:): expected 1, 3 or 4 channels, got shape \(image.shape)")
    }
    var bytes = [UInt8](repeating: 0, count: c * h * w)
    image.withUnsafeBufferPointer { src in
      bytes.withUnsafeMutableBufferPointer { dst in
        let plane = h * w
        for ch in 0..<c {
          for i in 0..<plane {
            let v = src[ch * plane + i]
            let clamped = v.isNaN ? 0 : Swift.min(Swift.max(v, 0), 1)
            dst[i * c + ch] = UInt8((clamped * 255).rounded())
          }
        }
      }
    }
    return encode(pixels: bytes, width: w, height: h, colorType: type, compressionLevel: compressionLevel)
  }

  /// Writes interleaved 8-bit samples as a PNG file, atomically (see ``AtomicFile``).
  public static func write(
    pixels: [UInt8], width: Int, height: Int, colorType: ColorType, to url: URL
  ) throws {
    try AtomicFile.write(encode(pixels: pixels, width: width, height: height, colorType: colorType), to: url)
  }

  /// Writes an image tensor `[C, H, W]` in [0, 1] as a PNG file, atomically.
  public static func write(image: Tensor, to url: URL) throws {
    try AtomicFile.write(encode(image: image), to: url)
  }

  /// The CRC-32 PNG chunks carry (zlib's `crc32`, the ISO 3309 polynomial).
  public static func crc(_ bytes: Data) -> UInt32 {
    bytes.withUnsafeBytes { raw -> UInt32 in
      let start = crc32(0, nil, 0)
      guard let base = raw.bindMemory(to: Bytef.self).baseAddress else { return UInt32(start) }
      return UInt32(crc32(start, base, uInt(raw.count)))
    }
  }

  // MARK: Filtering

  /// Prepends a filter byte to each scanline and filters it with the cheapest of the five filters.
  static func filterScanlines(
    _ src: UnsafeBufferPointer<UInt8>, width: Int, height: Int, bytesPerPixel bpp: Int
  ) -> [UInt8] {
    let stride = width * bpp
    var out = [UInt8](repeating: 0, count: height * (stride + 1))
    var candidate = [UInt8](repeating: 0, count: 5 * stride)
    let zeroRow = [UInt8](repeating: 0, count: stride)
    out.withUnsafeMutableBufferPointer { dst in
      candidate.withUnsafeMutableBufferPointer { cand in
        zeroRow.withUnsafeBufferPointer { zero in
          for y in 0..<height {
            let row = src.baseAddress! + y * stride
            let up = y == 0 ? zero.baseAddress! : src.baseAddress! + (y - 1) * stride
            var bestFilter = 0
            var bestCost = Int.max
            for f in 0..<5 {
              let c = cand.baseAddress! + f * stride
              var cost = 0
              for i in 0..<stride {
                let x = row[i]
                let a: UInt8 = i >= bpp ? row[i - bpp] : 0
                let b = up[i]
                let cc: UInt8 = i >= bpp ? up[i - bpp] : 0
                let v: UInt8
                switch f {
                case 0: v = x
                case 1: v = x &- a
                case 2: v = x &- b
                case 3: v = x &- UInt8((Int(a) + Int(b)) >> 1)
                default: v = x &- paeth(a, b, cc)
                }
                c[i] = v
                cost &+= v < 128 ? Int(v) : 256 - Int(v)
              }
              if cost < bestCost {
                bestCost = cost
                bestFilter = f
              }
            }
            let o = dst.baseAddress! + y * (stride + 1)
            o[0] = UInt8(bestFilter)
            (o + 1).update(from: cand.baseAddress! + bestFilter * stride, count: stride)
          }
        }
      }
    }
    return out
  }

  /// The Paeth predictor of the PNG specification.
  @inline(__always)
  static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
    let p = Int(a) + Int(b) - Int(c)
    let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
    if pa <= pb && pa <= pc { return a }
    if pb <= pc { return b }
    return c
  }

  // MARK: zlib and chunks

  static func deflateZlib(_ bytes: [UInt8], level: Int32) -> Data {
    var destLength = compressBound(uLong(bytes.count))
    var dest = [UInt8](repeating: 0, count: Int(destLength))
    let status = bytes.withUnsafeBufferPointer { src in
      dest.withUnsafeMutableBufferPointer { dst in
        compress2(dst.baseAddress, &destLength, src.baseAddress, uLong(src.count), level)
      }
    }
    // compressBound guarantees room, so only memory exhaustion can fail here.
    precondition(status == Z_OK, "PNGWriter: zlib compress2 failed with status \(status)")
    return Data(dest.prefix(Int(destLength)))
  }

  static func appendU32(_ data: inout Data, _ v: UInt32) {
    data.append(contentsOf: [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)])
  }

  static func appendChunk(_ out: inout Data, type: String, data: Data) {
    appendU32(&out, UInt32(data.count))
    var typed = Data(type.utf8)
    typed.append(data)
    out.append(typed)
    appendU32(&out, crc(typed))
  }
}
