import Foundation

/// A tiny, independent PNG encoder for tests: no compression (deflate "stored" blocks), filter 0,
/// CRC-32 and Adler-32 computed here. It shares no code with libpng, so files it writes check
/// the decoder independently, and tests can write datasets in PNG layouts without a PNG writer.
public enum TestPNG {
  /// Encodes `samples` (row-major, channel-interleaved, `width·height·channels` values) as a PNG
  /// of 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels at 8 or 16 bits.
  public static func encode(width: Int, height: Int, channels: Int, bitDepth: Int, samples: [UInt16]) -> Data {
    precondition((1...4).contains(channels) && (bitDepth == 8 || bitDepth == 16), "TestPNG: unsupported format")
    precondition(samples.count == width * height * channels, "TestPNG: \(samples.count) samples for \(width)x\(height)x\(channels)")
    var raw: [UInt8] = []
    raw.reserveCapacity(height * (1 + width * channels * bitDepth / 8))
    for y in 0..<height {
      raw.append(0)
      for i in 0..<(width * channels) {
        let v = samples[y * width * channels + i]
        if bitDepth == 16 { raw.append(UInt8(v >> 8)) }
        raw.append(UInt8(truncatingIfNeeded: v))
      }
    }
    let colorType: UInt8 = [0, 4, 2, 6][channels - 1]
    var ihdr: [UInt8] = []
    ihdr += be32(width) + be32(height)
    ihdr += [UInt8(bitDepth), colorType, 0, 0, 0]
    var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    out += chunk("IHDR", ihdr)
    out += chunk("IDAT", zlibStored(raw))
    out += chunk("IEND", [])
    return Data(out)
  }

  /// Writes an 8- or 16-bit PNG file (see ``encode(width:height:channels:bitDepth:samples:)``).
  public static func write(_ url: URL, width: Int, height: Int, channels: Int, bitDepth: Int, samples: [UInt16]) throws {
    try encode(width: width, height: height, channels: channels, bitDepth: bitDepth, samples: samples).write(to: url)
  }

  static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

  static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
    let t = Array(type.utf8)
    return be32(body.count) + t + body + be32(Int(crc32(t + body)))
  }

  static func zlibStored(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x78, 0x01]
    var i = 0
    repeat {
      let n = min(65535, data.count - i)
      let last: UInt8 = i + n == data.count ? 1 : 0
      out += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
      out += data[i..<(i + n)]
      i += n
    } while i < data.count
    var a: UInt32 = 1, b: UInt32 = 0
    for x in data {
      a = (a + UInt32(x)) % 65521
      b = (b + a) % 65521
    }
    return out + be32(Int(b << 16 | a))
  }

  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for x in bytes {
      c ^= UInt32(x)
      for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }
    return c ^ 0xFFFF_FFFF
  }
}
