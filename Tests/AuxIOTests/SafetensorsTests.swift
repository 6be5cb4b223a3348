import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@Suite("Safetensors")
struct SafetensorsTests {
  @Test("round trip keeps names, shapes, values, dtypes and metadata")
  func roundTrip() throws {
    var archive = SafetensorsArchive(metadata: ["format": "pt", "step": "3"])
    archive.tensors["conv.weight"] = Tensor(shape: [2, 1, 2, 2], scalars: (0..<8).map { Float($0) * 0.5 })
    archive.tensors["bn.num_batches_tracked"] = Tensor(7)
    archive.dtypes["bn.num_batches_tracked"] = .i64
    let dir = try Fixtures.temporaryDirectory("st")
    let url = dir.appendingPathComponent("m.safetensors")
    try Safetensors.write(archive, to: url)
    let back = try Safetensors.read(url)
    #expect(back.metadata == archive.metadata)
    #expect(back.dtypes["bn.num_batches_tracked"] == .i64)
    #expect(back.tensors["bn.num_batches_tracked"]?.shape == [])
    #expect(back.tensors["conv.weight"]?.scalars == archive.tensors["conv.weight"]?.scalars)
    #expect(back.tensors["conv.weight"]?.shape == [2, 1, 2, 2])
  }

  @Test("truncated and corrupt files fail with a message naming the file")
  func corrupt() throws {
    var archive = SafetensorsArchive()
    archive.tensors["w"] = Tensor([1, 2, 3])
    let good = Safetensors.encode(archive)
    for cut in [0, 4, 8, 20, good.count - 1] {
      #expect(throws: FormatError.self) { try Safetensors.decode(good.prefix(cut), file: "x.safetensors") }
    }
    var bad = good
    bad[8] = UInt8(ascii: "[")
    do {
      _ = try Safetensors.decode(bad, file: "bad.safetensors")
      Issue.record("decoding a corrupt header must throw")
    } catch let e as FormatError {
      #expect(e.file == "bad.safetensors")
    }
  }
}
