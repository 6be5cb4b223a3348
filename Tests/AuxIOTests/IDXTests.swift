import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@Suite("IDX")
struct IDXTests {
  static let dir = Fixtures.directory.appendingPathComponent("idx")

  @Test("reads every element type, raw and gzip, as numpy wrote them", arguments: ["u8", "i8", "i16", "i32", "f32", "f64"])
  func readsAllTypes(name: String) throws {
    let expected = try Fixtures.load("image_formats").tensor("\(name)-idx3")
    for file in ["\(name)-idx3", "\(name)-idx3.gz"] {
      let a = try IDX.read(Self.dir.appendingPathComponent(file))
      #expect(a.shape == [2, 3, 4], "\(file)")
      let t = a.tensor()
      #expect(t.shape == [2, 3, 4])
      #expect(t.scalars == expected.scalars, "\(file)")
    }
  }

  @Test("the data type byte and sizes are decoded")
  func header() throws {
    let a = try IDX.read(Self.dir.appendingPathComponent("i16-idx3.gz"))
    #expect(a.dataType == .int16)
    #expect(a.payload.count == 24 * 2)
    let u = try IDX.read(Self.dir.appendingPathComponent("u8-idx3"))
    let want: [UInt8] = (0..<24).map { (i: Int) -> UInt8 in UInt8(i * 3 + 10) }
    #expect(u.bytes() == want)
  }

  @Test("encode/write round-trips, raw and gzip")
  func roundTrip() throws {
    let payload = Data((0..<60).map { UInt8($0) })
    let a = IDXArray(dataType: .uint8, shape: [3, 4, 5], payload: payload)
    let dir = try Fixtures.temporaryDirectory("idx")
    defer { try? FileManager.default.removeItem(at: dir) }
    for gz in [false, true] {
      let url = dir.appendingPathComponent(gz ? "a.gz" : "a")
      try IDX.write(a, to: url, gzip: gz)
      let raw = try Data(contentsOf: url)
      #expect(Gzip.isGzip(raw) == gz)
      let back = try IDX.read(url)
      #expect(back.shape == [3, 4, 5] && back.payload == payload && back.dataType == .uint8)
    }
  }

  @Test("malformed headers and sizes fail with messages naming the file and what was expected")
  func malformed() throws {
    func message(_ bytes: [UInt8]) -> String? {
      do {
        _ = try IDX.decode(Data(bytes), file: "bad.idx")
        return nil
      } catch let e as FormatError {
        #expect(e.file == "bad.idx")
        return e.message
      } catch {
        return "\(error)"
      }
    }
    #expect(message([0, 1, 8, 1, 0, 0, 0, 1, 5])?.contains("00 00") == true)
    #expect(message([0, 0, 7, 1, 0, 0, 0, 1, 5])?.contains("type byte 0x07") == true)
    #expect(message([0, 0, 8, 2, 0, 0, 0, 1])?.contains("2 dimensions") == true)
    #expect(message([0, 0, 8, 1, 0, 0, 0, 3, 1, 2])?.contains("need 3 data bytes") == true)
    #expect(message([0, 0, 8, 1, 0, 0, 0, 1, 1, 2])?.contains("found 2") == true)
    #expect(message([0, 0, 0x0E, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) != nil)
    #expect(message([0, 0]) != nil)
  }
}

@Suite("Gzip")
struct GzipTests {
  @Test("compress then decompress returns the input, including empty and incompressible data")
  func roundTrip() throws {
    var rng = RandomGenerator(seed: 3)
    let random = Data((0..<100_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
    let repetitive = Data(repeating: 7, count: 300_000)
    for input in [Data(), random, repetitive] {
      let z = Gzip.compress(input)
      #expect(Gzip.isGzip(z))
      #expect(try Gzip.decompress(z, file: "mem") == input)
    }
  }

  @Test("concatenated members decode like gunzip; truncation, corruption and bombs fail")
  func members() throws {
    let a = Data("hello ".utf8), b = Data("world".utf8)
    let both = Gzip.compress(a) + Gzip.compress(b)
    #expect(try Gzip.decompress(both, file: "mem") == a + b)
    let z = Gzip.compress(Data(repeating: 1, count: 10_000))
    #expect(throws: FormatError.self) { try Gzip.decompress(z.prefix(z.count - 6), file: "cut.gz") }
    var corrupt = z
    corrupt[12] ^= 0xFF
    #expect(throws: FormatError.self) { try Gzip.decompress(corrupt, file: "bad.gz") }
    #expect(throws: FormatError.self) { try Gzip.decompress(z, file: "bomb.gz", maximumOutput: 5000) }
    #expect(throws: FormatError.self) { try Gzip.decompress(Data([1, 2, 3]), file: "plain") }
    #expect(throws: FormatError.self) { try Gzip.decompress(z + Data([9, 9, 9]), file: "trailing.gz") }
  }
}
