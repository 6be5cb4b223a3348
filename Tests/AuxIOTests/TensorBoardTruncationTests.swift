import AuxIO
import AuxTestSupport
import Foundation
import Testing

@Suite("TensorBoard event truncation")
struct TensorBoardTruncationTests {
  @Test("event steps are read from the wire format; version events are at step 0")
  func eventSteps() {
    let version = TensorBoardEvent.fileVersionEvent(wallTime: 1.5)
    #expect(TensorBoardEvent.step(of: version[...]) == 0)
    for step: Int64 in [1, 127, 128, 300_000, 1 << 40] {
      let e = TensorBoardEvent.scalarEvent([(tag: "loss/a", value: 0.25), (tag: "b", value: 2)], step: step, wallTime: 9)
      #expect(TensorBoardEvent.step(of: e[...]) == step)
    }
    #expect(TensorBoardEvent.step(of: [0x10, 0x80][...]) == nil, "a truncated varint is not an event")
  }

  @Test("truncation keeps steps up to the checkpoint byte for byte, drops a torn tail, and removes an emptied file")
  func truncation() throws {
    let dir = try Fixtures.temporaryDirectory("tb-truncate")
    let writer = try TensorBoardWriter(directory: dir, hostName: "h", wallTime: 1_700_000_000)
    for step in 0..<6 { try writer.addScalar("loss", Float(step), step: step * 10) }
    writer.close()
    let original = [UInt8](try Data(contentsOf: writer.fileURL))
    // A kill during a write leaves half a record.
    let torn = TFRecord.frame(TensorBoardEvent.scalarEvent([(tag: "loss", value: 9)], step: 60, wallTime: 1))
    try Data(original + torn.prefix(torn.count / 2)).write(to: writer.fileURL)
    #expect(TFRecord.intactRecords(in: original + torn.prefix(torn.count / 2)).records.count == 7)

    #expect(try TensorBoardWriter.truncateEventFiles(in: dir, keepingStepsThrough: 25) == 3)
    let kept = [UInt8](try Data(contentsOf: writer.fileURL))
    let (records, end) = TFRecord.intactRecords(in: kept)
    #expect(end == kept.count)
    #expect(records.map { TensorBoardEvent.step(of: kept[$0]) } == [0, 0, 10, 20])
    #expect(Array(kept) == Array(original.prefix(kept.count)), "kept records must be the original bytes")

    let second = try TensorBoardWriter(directory: dir, hostName: "h2", wallTime: 1_700_000_100)
    try second.addScalar("loss", 1, step: 40)
    second.close()
    #expect(try TensorBoardWriter.truncateEventFiles(in: dir, keepingStepsThrough: 25) == 1)
    #expect(!FileManager.default.fileExists(atPath: second.fileURL.path), "a file left with only its version event stays")
    #expect(FileManager.default.fileExists(atPath: writer.fileURL.path))
  }
}
