import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@Suite("TIFF")
struct TIFFTests {
  static let dir = Fixtures.directory.appendingPathComponent("tiff")

  @Test("Pillow-written int32 (mode I), uint16 and uint8 TIFFs decode exactly, with every compression",
    arguments: [
      ("int32_raw", 32, true), ("int32_tiff_deflate", 32, true), ("int32_tiff_lzw", 32, true),
      ("int32_packbits", 32, true), ("uint16", 16, false), ("uint8", 8, false),
    ])
  func pillowFiles(name: String, bits: Int, signed: Bool) throws {
    let img = try TIFFCodec.read(Self.dir.appendingPathComponent("\(name).tif"))
    let want = try Fixtures.load("image_formats").tensor("\(name).tif")
    #expect(img.bitsPerSample == bits && img.isSigned == signed)
    #expect([img.height, img.width] == want.shape)
    #expect(img.values.map(Float.init) == want.scalars)
    #expect(img.tensor().shape == [1] + want.shape)
  }

  @Test("uint32 values above 2^31 and 2^24 survive a write/read round trip exactly",
    arguments: TIFFCompression.allCases)
  func roundTrip(compression: TIFFCompression) throws {
    let values: [Int64] = [0, 1, 2_400_301, 16_777_217, 2_147_483_648, 4_294_967_295] + (0..<30).map { Int64($0 * 1000 + 7) }
    let img = TIFFImage(width: 9, height: 4, bitsPerSample: 32, isSigned: false, values: values)
    let dir = try Fixtures.temporaryDirectory("tiff")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("a.tif")
    try TIFFCodec.write(img, to: url, compression: compression)
    #expect(try TIFFCodec.read(url) == img)
    let s16 = TIFFImage(width: 3, height: 1, bitsPerSample: 16, isSigned: true, values: [-32768, -1, 32767])
    try TIFFCodec.write(s16, to: url, compression: compression)
    #expect(try TIFFCodec.read(url) == s16)
  }

  @Test("values that do not fit, multi-channel and truncated files fail with messages")
  func malformed() throws {
    let dir = try Fixtures.temporaryDirectory("tiff")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("a.tif")
    #expect(throws: FormatError.self) {
      try TIFFCodec.write(TIFFImage(width: 1, height: 1, bitsPerSample: 8, isSigned: false, values: [256]), to: url)
    }
    let good = try Data(contentsOf: Self.dir.appendingPathComponent("int32_raw.tif"))
    for cut in [0, 4, 8, 16, good.count / 2, good.count - 1] {
      #expect(throws: FormatError.self, "cut to \(cut)") { try TIFFCodec.decode(good.prefix(cut), file: "cut.tif") }
    }
    do {
      _ = try TIFFCodec.decode(Data(repeating: 0x41, count: 64), file: "junk.tif")
      Issue.record("junk must fail")
    } catch let e as FormatError {
      #expect(e.file == "junk.tif" && !e.message.isEmpty)
    }
  }
}
