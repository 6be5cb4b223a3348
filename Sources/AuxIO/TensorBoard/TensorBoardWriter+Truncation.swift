import Foundation

extension TensorBoardWriter {
  /// Rewrites every event file (`*tfevents*`) in `directory`, keeping only the events at steps up
  /// to `step`, so that a run resumed from a checkpoint taken at `step` logs no step twice.
  ///
  /// Each file is rewritten atomically with its records kept byte for byte (the `file_version`
  /// event is at step 0 and stays); a torn last record, left by a kill during a write, is
  /// dropped. A file left holding nothing past its version event is removed.
  ///
  /// - Returns: the number of events dropped over all files.
  /// - Throws: ``FormatError`` naming the file when it cannot be read or rewritten, or when an
  ///   intact record is not an event.
  @discardableResult
  public static func truncateEventFiles(in directory: URL, keepingStepsThrough step: Int) throws -> Int {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
      .filter { $0.contains("tfevents") && !$0.hasPrefix(".") }
    var dropped = 0
    for name in names {
      let url = directory.appendingPathComponent(name)
      let bytes: [UInt8]
      do {
        bytes = [UInt8](try Data(contentsOf: url))
      } catch {
        throw FormatError(file: url.path, "cannot read the TensorBoard event file: \(error.localizedDescription)")
      }
      let (records, end) = TFRecord.intactRecords(in: bytes)
      var kept: [UInt8] = []
      var keptRecords = 0
      var removed = 0
      for r in records {
        guard let s = TensorBoardEvent.step(of: bytes[r]) else {
          throw FormatError(file: url.path, "record at byte \(r.lowerBound - 12) is not a TensorBoard event")
        }
        if s <= Int64(step) {
          kept += bytes[(r.lowerBound - 12)..<(r.upperBound + 4)]
          keptRecords += 1
        } else {
          removed += 1
        }
      }
      dropped += removed
      if removed == 0 && end == bytes.count { continue }
      if keptRecords <= 1 {
        try? FileManager.default.removeItem(at: url)
      } else {
        try AtomicFile.write(Data(kept), to: url)
      }
    }
    return dropped
  }
}
