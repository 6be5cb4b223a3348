import Foundation

/// Writing files so that a crash never leaves a half-written file behind.
public enum AtomicFile {
  /// Writes `data` to `url` atomically: the bytes go to a temporary file in the same directory,
  /// are flushed to disk, and the temporary file is renamed over `url`. Readers see either the old
  /// file or the new one, never a mix.
  public static func write(_ data: Data, to url: URL) throws {
    let dir = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
    guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
      throw FormatError(file: url.path, "cannot create temporary file \(tmp.path)")
    }
    do {
      let handle = try FileHandle(forWritingTo: tmp)
      try handle.write(contentsOf: data)
      try handle.synchronize()
      try handle.close()
      if rename(tmp.path, url.path) != 0 {
        let err = String(cString: strerror(errno))
        throw FormatError(file: url.path, "cannot rename temporary file into place: \(err)")
      }
    } catch {
      try? FileManager.default.removeItem(at: tmp)
      throw error
    }
  }
}
