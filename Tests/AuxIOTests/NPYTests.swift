import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@Suite("NPY")
struct NPYTests {
  static let expected: [Float] = (0..<24).map { Float($0) * 0.5 - 3 }

  @Test("reads files written by numpy", arguments: ["f4", "f8", "f4_big_endian", "f4_fortran", "f4_v2", "f4_v3"])
  func readsNumpyFiles(name: String) throws {
    let a = try NPY.read(Fixtures.directory.appendingPathComponent("npy/\(name).npy"))
    #expect(a.shape == [2, 3, 4])
    #expect(a.tensor.scalars == Self.expected)
  }

  @Test("integer, byte, bool, scalar and 1-D arrays")
  func otherKinds() throws {
    let dir = Fixtures.directory.appendingPathComponent("npy")
    let i8 = try NPY.read(dir.appendingPathComponent("i8.npy"))
    #expect(i8.dtype == .int64)
    #expect(i8.tensor.scalars == Self.expected.map { Float(Int($0)) })
    let u1 = try NPY.read(dir.appendingPathComponent("u1.npy"))
    #expect(u1.tensor.scalars == Self.expected.map { Float(UInt8($0 + 10)) })
    let b1 = try NPY.read(dir.appendingPathComponent("b1.npy"))
    #expect(b1.tensor.scalars == Self.expected.map { $0 > 0 ? 1 : 0 })
    let s = try NPY.read(dir.appendingPathComponent("scalar.npy"))
    #expect(s.shape == [] && s.tensor.item == 2.5)
    let v = try NPY.read(dir.appendingPathComponent("vector.npy"))
    #expect(v.shape == [5] && v.tensor.scalars == [0, 1, 2, 3, 4])
  }

  @Test("our writer round-trips and pads the header to 64 bytes")
  func writeRoundTrip() throws {
    let t = Tensor(shape: [3, 2], scalars: [1, -2, 3.5, 4, 5, 6])
    let data = NPY.encode(t)
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    let back = try NPY.decode(data, file: "mem")
    #expect(back.shape == [3, 2] && back.tensor.scalars == t.scalars)
  }

  @Test("malformed files fail with messages naming the file")
  func malformed() throws {
    let good = NPY.encode(Tensor(shape: [4], scalars: [1, 2, 3, 4]))
    for cut in [0, 5, 9, 30, good.count - 1] {
      #expect(throws: FormatError.self) { try NPY.decode(good.prefix(cut), file: "cut.npy") }
    }
    var pickled = good
    let text = String(decoding: pickled, as: UTF8.self)
    if let r = text.range(of: "<f4") {
      let off = text.utf8.distance(from: text.startIndex, to: r.lowerBound)
      pickled.replaceSubrange(off..<(off + 3), with: Data("|O8".utf8))
    }
    do {
      _ = try NPY.decode(pickled, file: "obj.npy")
      Issue.record("object arrays must be refused")
    } catch let e as FormatError {
      #expect(e.file == "obj.npy" && e.message.contains("object"))
    }
  }
}
