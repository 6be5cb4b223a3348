import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

/// Reads TFRecord framing back, checking both masked CRCs of every record (a test-side reader: the
/// independent checks are TensorBoard's own bytes in the fixture and EventAccumulator below).
func readRecords(_ data: [UInt8]) throws -> [[UInt8]] {
  struct Corrupt: Error, CustomStringConvertible { let description: String }
  var records: [[UInt8]] = []
  var i = 0
  func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(data[at + $1]) << (8 * UInt32($1)) } }
  while i < data.count {
    guard i + 12 <= data.count else { throw Corrupt(description: "truncated header at \(i)") }
    let header = Array(data[i..<(i + 8)])
    let length = Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(header[$1]) << (8 * UInt64($1)) })
    guard u32(i + 8) == CRC32C.masked(CRC32C.checksum(header)) else { throw Corrupt(description: "bad length CRC at \(i)") }
    guard i + 12 + length + 4 <= data.count else { throw Corrupt(description: "truncated record at \(i)") }
    let payload = Array(data[(i + 12)..<(i + 12 + length)])
    guard u32(i + 12 + length) == CRC32C.masked(CRC32C.checksum(payload)) else { throw Corrupt(description: "bad data CRC at \(i)") }
    records.append(payload)
    i += 12 + length + 4
  }
  return records
}

/// Whether `python3` can import tensorboard's EventAccumulator.
let pythonHasTensorBoard: Bool = {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  p.arguments = ["python3", "-c", "from tensorboard.backend.event_processing.event_accumulator import EventAccumulator"]
  p.standardOutput = FileHandle.nullDevice
  p.standardError = FileHandle.nullDevice
  do {
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus == 0
  } catch {
    return false
  }
}()

@Suite("TensorBoard event files")
struct TensorBoardTests {
  @Test("CRC-32C test vectors (RFC 3720) and TensorFlow's mask")
  func crcVectors() {
    #expect(CRC32C.checksum([UInt8]()) == 0)
    #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    #expect(CRC32C.checksum(Array(0...31 as ClosedRange<UInt8>)) == 0x46DD_794E)
    // tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c(b"123456789")
    #expect(CRC32C.masked(CRC32C.checksum(Array("123456789".utf8))) == 0xC78A_B0E5)
  }

  @Test("records are byte-identical to TensorBoard's own protobuf serialisation and RecordWriter")
  func matchesTensorBoardBytes() throws {
    let dir = Fixtures.directory.appendingPathComponent("tensorboard")
    let expected = [UInt8](try Data(contentsOf: dir.appendingPathComponent("records.bin")))
    let spec = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("records.json"))) as! [String: Any]
    var ours = TFRecord.frame(TensorBoardEvent.fileVersionEvent(wallTime: spec["file_version_wall_time"] as! Double))
    for e in spec["scalars"] as! [[String: Any]] {
      let scalars = (e["scalars"] as! [[String]]).map { (tag: $0[0], value: Float($0[1])!) }
      let step = (e["step"] as! NSNumber).int64Value
      ours += TFRecord.frame(TensorBoardEvent.scalarEvent(scalars, step: step, wallTime: (e["wall_time"] as! NSNumber).doubleValue))
    }
    #expect(ours.count == expected.count)
    let firstDifference = zip(ours, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
    #expect(ours == expected, "first differing byte at \(firstDifference.map(String.init) ?? "end")")
    #expect(try readRecords(ours).count == 1 + (spec["scalars"] as! [Any]).count)
  }

  static func writeSample(to dir: URL) throws -> TensorBoardWriter {
    let writer = try TensorBoardWriter(directory: dir, hostName: "testhost", wallTime: 1_700_000_000)
    for step in 0..<5 {
      try writer.addScalar("loss/seg", Float(step) * 0.5 + 0.125, step: step * 10)
      try writer.addScalar("loss/depth", 1 / Float(step + 1), step: step * 10)
    }
    return writer
  }

  @Test("file name, version event and one framed record per scalar, readable while open")
  func writesFile() throws {
    let dir = try Fixtures.temporaryDirectory("tb")
    let writer = try Self.writeSample(to: dir)
    #expect(writer.fileURL.lastPathComponent == "events.out.tfevents.1700000000.testhost")
    // Nothing is buffered: the file is complete before close.
    let records = try readRecords([UInt8](try Data(contentsOf: writer.fileURL)))
    #expect(records.count == 11)
    #expect(records[0] == TensorBoardEvent.fileVersionEvent(wallTime: 1_700_000_000))
    #expect(String(decoding: records[0], as: UTF8.self).contains("brain.Event:2"))
    writer.close()
    #expect(throws: FormatError.self) { try writer.addScalar("x", 1, step: 0) }

    // A second writer in the same directory and second gets its own file.
    let other = try TensorBoardWriter(directory: dir, hostName: "testhost", wallTime: 1_700_000_000)
    #expect(other.fileURL != writer.fileURL)
    #expect(other.fileURL.lastPathComponent.hasPrefix("events.out.tfevents.1700000000.testhost."))
  }

  @Test("TensorBoard's EventAccumulator reads back every scalar exactly",
        .enabled(if: pythonHasTensorBoard, "python3 with the tensorboard package is not available"))
  func eventAccumulatorReadsBack() throws {
    let dir = try Fixtures.temporaryDirectory("tb-python")
    let writer = try Self.writeSample(to: dir)
    writer.close()
    let script = """
      import json, sys
      from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
      acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
      acc.Reload()
      print(json.dumps({t: [[e.step, e.value] for e in acc.Scalars(t)] for t in acc.Tags()["scalars"]}))
      """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script, dir.path]
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    try #require(p.terminationStatus == 0, "python failed: \(errText)")
    let lastLine = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
    let read = try #require(try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: [[Double]]])
    #expect(Set(read.keys) == ["loss/seg", "loss/depth"])
    #expect(read["loss/seg"]?.count == 5 && read["loss/depth"]?.count == 5)
    // Values compared as Float: the file holds float32, and JSON parsing may round the Double.
    for step in 0..<5 {
      #expect(read["loss/seg"]?[step].map(Float.init) == [Float(step * 10), Float(step) * 0.5 + 0.125])
      #expect(read["loss/depth"]?[step].map(Float.init) == [Float(step * 10), 1 / Float(step + 1)])
    }
  }
}
