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

extension AtomicFile {
  /// Removes the temporary files that ``write(_:to:)`` leaves in `directory` when its process is
  /// killed between creating and renaming them (`.<name>.tmp-<pid>-<n>`): only those whose process
  /// no longer exists (a running one, this process included, may be writing its file now).
  ///
  /// - Returns: the names removed.
  @discardableResult
  public static func removeLeftovers(in directory: URL) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    var removed: [String] = []
    for name in names where name.hasPrefix(".") {
      guard let range = name.range(of: ".tmp-") else { continue }
      let fields = name[range.upperBound...].split(separator: "-")
      guard fields.count == 2, let pid = Int32(fields[0]), UInt32(fields[1]) != nil else { continue }
      guard kill(pid, 0) == -1 && errno == ESRCH else { continue }
      if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil { removed.append(name) }
    }
    return removed
  }
}
