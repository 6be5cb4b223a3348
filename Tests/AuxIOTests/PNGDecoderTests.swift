import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@Suite("PNG decoding")
struct PNGDecoderTests {
  static let dir = Fixtures.directory.appendingPathComponent("png")

  /// The fixture's expected array ([H, W] or [H, W, C], as Pillow reads it) as [C, H, W].
  static func expected(_ key: String) throws -> Tensor {
    let t = try Fixtures.load("image_formats").tensor(key)
    return t.rank == 2 ? t.unsqueezed(at: 0) : t.permuted([2, 0, 1])
  }

  @Test("8- and 16-bit gray, gray+alpha, RGB, RGBA, 1/2-bit gray and interlaced files match Pillow/numpy",
    arguments: [
      ("gray8", 1, 8), ("gray16", 1, 16), ("la8", 2, 8), ("rgb8", 3, 8), ("rgba8", 4, 8),
      ("rgb16", 3, 16), ("gray1", 1, 1), ("gray2", 1, 2), ("rgb8_interlaced", 3, 8),
    ])
  func decodes(name: String, channels: Int, bitDepth: Int) throws {
    let img = try PNGDecoder.read(Self.dir.appendingPathComponent("\(name).png"))
    let want = try Self.expected("\(name).png")
    #expect(img.channels == channels && img.bitDepth == bitDepth)
    #expect(img.pixels.shape == want.shape)
    #expect(img.pixels.scalars == want.scalars)
    #expect(img.interlaced == (name == "rgb8_interlaced"))
    let unit = img.unitRange()
    #expect(unit.scalars == want.scalars.map { $0 / Float((1 << bitDepth) - 1) })
  }

  @Test("palette images expand to RGB (RGBA with tRNS) or give their indices")
  func palette() throws {
    let url = Self.dir.appendingPathComponent("palette.png")
    let rgb = try PNGDecoder.read(url)
    #expect(rgb.colorType == .palette && rgb.paletteExpanded && rgb.channels == 3 && rgb.bitDepth == 8)
    #expect(rgb.pixels.scalars == (try Self.expected("palette.png")).scalars)
    let idx = try PNGDecoder.read(url, expandPalette: false)
    #expect(idx.channels == 1 && !idx.paletteExpanded)
    #expect(idx.pixels.scalars == (try Self.expected("palette.png:indices")).scalars)
    let rgba = try PNGDecoder.read(Self.dir.appendingPathComponent("palette_trns.png"))
    #expect(rgba.channels == 4)
    #expect(rgba.pixels.scalars == (try Self.expected("palette_trns.png")).scalars)
  }

  @Test("the test-support encoder's files decode to what was encoded")
  func testEncoder() throws {
    var rng = RandomGenerator(seed: 1)
    let samples = (0..<(3 * 4 * 5)).map { _ in UInt16(rng.nextInt(below: 65536)) }
    for (depth, mask) in [(8, 255), (16, 65535)] {
      let v = samples.map { $0 & UInt16(mask) }
      let data = TestPNG.encode(width: 5, height: 4, channels: 3, bitDepth: depth, samples: v)
      let img = try PNGDecoder.decode(data, file: "mem")
      let chw = (0..<3).flatMap { c in (0..<20).map { Float(v[$0 * 3 + c]) } }
      #expect(img.pixels.shape == [3, 4, 5] && img.pixels.scalars == chw)
    }
  }

  @Test("not-PNG, truncated and CRC-damaged files fail with the file name")
  func malformed() throws {
    let good = try Data(contentsOf: Self.dir.appendingPathComponent("rgb8.png"))
    for cut in [0, 7, 8, 20, 40, good.count / 2, good.count - 13, good.count - 1] {
      do {
        _ = try PNGDecoder.decode(good.prefix(cut), file: "cut.png")
        Issue.record("a PNG cut to \(cut) of \(good.count) bytes must fail")
      } catch let e as FormatError {
        #expect(e.file == "cut.png")
      }
    }
    var crc = good
    crc[30] ^= 0x01  // inside IHDR: its CRC no longer matches
    #expect(throws: FormatError.self) { try PNGDecoder.decode(crc, file: "crc.png") }
    do {
      _ = try PNGDecoder.decode(Data("GIF89a-not-a-png".utf8), file: "x.png")
      Issue.record("expected an error")
    } catch let e as FormatError {
      #expect(e.message.contains("signature"))
    }
  }
}
