import AuxEngine
import AuxIO
import AuxTestSupport
import CZlib
import Foundation
import Testing

/// Decodes what `PNGWriter` writes, independently of it: chunk walk, a bitwise CRC-32, zlib
/// `uncompress`, and the five PNG un-filters written out from the specification.
private struct DecodedPNG {
  var width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0
  var chunkTypes: [String] = []
  var filters: [UInt8] = []
  var pixels: [UInt8] = []
}

private func bitwiseCRC32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
  var c: UInt32 = 0xFFFF_FFFF
  for b in bytes {
    c ^= UInt32(b)
    for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
  }
  return c ^ 0xFFFF_FFFF
}

private func u32(_ b: [UInt8], _ o: Int) -> Int {
  Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
}

private func decode(_ data: Data) throws -> DecodedPNG {
  let b = [UInt8](data)
  guard b.count >= 8, Array(b[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
    throw FormatError(file: "png", "bad signature")
  }
  var png = DecodedPNG()
  var idat: [UInt8] = []
  var o = 8
  while o < b.count {
    let len = u32(b, o)
    let type = String(decoding: b[(o + 4)..<(o + 8)], as: UTF8.self)
    let body = Array(b[(o + 8)..<(o + 8 + len)])
    let crc = UInt32(u32(b, o + 8 + len))
    guard crc == bitwiseCRC32(b[(o + 4)..<(o + 8 + len)]) else {
      throw FormatError(file: "png", "CRC mismatch in \(type)")
    }
    png.chunkTypes.append(type)
    if type == "IHDR" {
      png.width = u32(body, 0)
      png.height = u32(body, 4)
      png.bitDepth = Int(body[8])
      png.colorType = Int(body[9])
      png.interlace = Int(body[12])
    } else if type == "IDAT" {
      idat += body
    }
    o += 12 + len
  }
  let channels = [0: 1, 2: 3, 6: 4][png.colorType]!
  let stride = png.width * channels
  var raw = [UInt8](repeating: 0, count: png.height * (stride + 1))
  var rawLength = uLongf(raw.count)
  let status = raw.withUnsafeMutableBufferPointer { dst in
    idat.withUnsafeBufferPointer { src in uncompress(dst.baseAddress, &rawLength, src.baseAddress, uLong(src.count)) }
  }
  guard status == Z_OK, Int(rawLength) == raw.count else { throw FormatError(file: "png", "inflate failed") }
  var out = [UInt8](repeating: 0, count: png.height * stride)
  for y in 0..<png.height {
    let f = raw[y * (stride + 1)]
    png.filters.append(f)
    for i in 0..<stride {
      let x = Int(raw[y * (stride + 1) + 1 + i])
      let a = i >= channels ? Int(out[y * stride + i - channels]) : 0
      let up = y > 0 ? Int(out[(y - 1) * stride + i]) : 0
      let c = (i >= channels && y > 0) ? Int(out[(y - 1) * stride + i - channels]) : 0
      let pred: Int
      switch f {
      case 0: pred = 0
      case 1: pred = a
      case 2: pred = up
      case 3: pred = (a + up) / 2
      case 4:
        let p = a + up - c
        let pa = abs(p - a), pb = abs(p - up), pc = abs(p - c)
        pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? up : c)
      default: throw FormatError(file: "png", "bad filter \(f)")
      }
      out[y * stride + i] = UInt8((x + pred) & 0xFF)
    }
  }
  png.pixels = out
  return png
}

@Suite("PNGWriter")
struct PNGWriterTests {
  /// Images whose rows favour different filters: noise, horizontal and vertical ramps, a smooth blob.
  static func testImage(width: Int, height: Int, channels: Int, seed: UInt64) -> [UInt8] {
    var rng = RandomGenerator(seed: seed)
    var px = [UInt8](repeating: 0, count: width * height * channels)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels {
          let v: Int
          switch (y / 4) % 4 {
          case 0: v = rng.nextInt(below: 256)
          case 1: v = x * 7 + c * 40
          case 2: v = y * 5 + c * 3
          default: v = (x * x + y * y) / 3 + c
          }
          px[(y * width + x) * channels + c] = UInt8(v & 0xFF)
        }
      }
    }
    return px
  }

  @Test("gray, RGB and RGBA round-trip exactly through an independent decoder",
        arguments: [PNGWriter.ColorType.gray, .rgb, .rgba])
  func roundTrip(type: PNGWriter.ColorType) throws {
    for (w, h) in [(1, 1), (7, 3), (33, 20)] {
      let px = Self.testImage(width: w, height: h, channels: type.channels, seed: UInt64(w * 100 + h))
      let png = try decode(PNGWriter.encode(pixels: px, width: w, height: h, colorType: type))
      #expect(png.chunkTypes == ["IHDR", "IDAT", "IEND"])
      #expect(png.width == w && png.height == h && png.bitDepth == 8)
      #expect(png.colorType == Int(type.rawValue) && png.interlace == 0)
      #expect(png.pixels == px, "\(type) \(w)×\(h) pixels differ after decoding")
    }
  }

  @Test("the adaptive filter uses more than one filter type and the uncompressed level works")
  func filtersAndLevels() throws {
    let px = Self.testImage(width: 40, height: 32, channels: 3, seed: 1)
    let best = try decode(PNGWriter.encode(pixels: px, width: 40, height: 32, colorType: .rgb))
    #expect(Set(best.filters).count >= 2, "filters used: \(Set(best.filters))")
    let stored = PNGWriter.encode(pixels: px, width: 40, height: 32, colorType: .rgb, compressionLevel: 0)
    #expect(try decode(stored).pixels == px)
    #expect(stored.count > 40 * 32 * 3)
  }

  @Test("chunk CRCs equal the bitwise CRC-32 of the PNG specification")
  func crcMatchesReference() {
    let bytes = Data("IEND".utf8)
    #expect(PNGWriter.crc(bytes) == 0xAE42_6082)  // the well-known CRC of an empty IEND chunk
    let sample = Data((0..<1000).map { UInt8(($0 * 31) & 0xFF) })
    #expect(PNGWriter.crc(sample) == bitwiseCRC32([UInt8](sample)[...]))
  }

  @Test("float images map [0, 1] to round(255·v), clamp out-of-range values, and write atomically")
  func tensorImages() throws {
    let t = Tensor(shape: [3, 1, 2], scalars: [0, 1, 0.5, -3, 2, 0.2])
    let png = try decode(PNGWriter.encode(image: t))
    // pixel 0 = (0, 0.5, 2→1), pixel 1 = (1, −3→0, 0.2)
    #expect(png.pixels == [0, 128, 255, 255, 0, 51])
    let dir = try Fixtures.temporaryDirectory("png")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("sub/x.png")
    try PNGWriter.write(image: Tensor(shape: [1, 2, 2], scalars: [0, 0.25, 0.75, 1]), to: url)
    let back = try decode(try Data(contentsOf: url))
    #expect(back.colorType == 0 && back.pixels == [0, 64, 191, 255])
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
    #expect(leftovers == ["x.png"])
  }
}
