import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes scalar summaries to a TensorBoard event file (`tensorboard --logdir <directory>`).
///
/// The file is `<directory>/events.out.tfevents.<10-digit unix time>.<host name>` (with
/// `.<pid>.<n>` appended if that name is taken), as TensorBoard's `EventFileWriter` names it. Its
/// first record is the `file_version` event `"brain.Event:2"`; each ``addScalar(_:_:step:wallTime:)``
/// appends one `Event{wall_time, step, summary{value{tag, simple_value}}}` record. Every record
/// goes to the operating system with one `write` as soon as it is added (there is no buffer to
/// flush), so a crash loses at most the record being written and TensorBoard can read the file
/// while training runs. The file is append-only, not written atomically: TensorBoard skips a torn
/// last record by its CRC.
///
/// ```swift
/// let tb = try TensorBoardWriter(directory: runDirectory)
/// try tb.addScalar("loss/seg", 0.83, step: 100)
/// ```
///
/// Tags are slash-separated (`loss/seg`, `weights/depth`). A writer is used from one thread.
public final class TensorBoardWriter {
  /// The event file.
  public let fileURL: URL
  private var descriptor: Int32

  /// Creates `directory` if needed and a new event file in it, and writes the version event.
  ///
  /// - Parameters:
  ///   - hostName: the host name in the file name (default: this machine's).
  ///   - wallTime: the creation time, seconds since 1970 (default: now).
  /// - Throws: ``FormatError`` naming the path when the directory or file cannot be created or
  ///   written.
  public init(directory: URL, hostName: String? = nil, wallTime: Double? = nil) throws {
    let time = wallTime ?? Date().timeIntervalSince1970
    let host = hostName ?? Self.currentHostName()
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw FormatError(file: directory.path, "cannot create the TensorBoard log directory: \(error)")
    }
    let seconds = String(Int64(time))
    let base = "events.out.tfevents." + String(repeating: "0", count: Swift.max(0, 10 - seconds.count)) + seconds + "." + host
    var attempt = 0
    while true {
      let name = attempt == 0 ? base : "\(base).\(getpid()).\(attempt)"
      let url = directory.appendingPathComponent(name)
      let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
      if fd >= 0 {
        fileURL = url
        descriptor = fd
        break
      }
      let err = errno
      guard err == EEXIST, attempt < 1000 else {
        throw FormatError(file: url.path, "cannot create the TensorBoard event file: \(String(cString: strerror(err)))")
      }
      attempt += 1
    }
    try writeRecord(TensorBoardEvent.fileVersionEvent(wallTime: time))
  }

  deinit { close() }

  /// Appends one scalar at `step`.
  ///
  /// - Parameters:
  ///   - wallTime: seconds since 1970 (default: now).
  /// - Throws: ``FormatError`` when the write fails or the writer is closed.
  public func addScalar(_ tag: String, _ value: Float, step: Int, wallTime: Double? = nil) throws {
    try addScalars([(tag, value)], step: step, wallTime: wallTime)
  }

  /// Appends several scalars at the same `step` as one event (one record).
  public func addScalars(_ scalars: [(tag: String, value: Float)], step: Int, wallTime: Double? = nil) throws {
    precondition(!scalars.isEmpty, "TensorBoardWriter.addScalars: no scalars given (step \(step))")
    for (tag, _) in scalars {
      precondition(!tag.isEmpty, "TensorBoardWriter.addScalars: empty tag (step \(step))")
    }
    let event = TensorBoardEvent.scalarEvent(scalars, step: Int64(step), wallTime: wallTime ?? Date().timeIntervalSince1970)
    try writeRecord(event)
  }

  /// Closes the file; later writes throw. Called on deinit.
  public func close() {
    if descriptor >= 0 {
      _ = closeDescriptor(descriptor)
      descriptor = -1
    }
  }

  private func writeRecord(_ data: [UInt8]) throws {
    guard descriptor >= 0 else { throw FormatError(file: fileURL.path, "TensorBoard writer is closed") }
    let record = TFRecord.frame(data)
    try record.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          let err = errno
          if err == EINTR { continue }
          throw FormatError(file: fileURL.path, "write of a \(raw.count)-byte record failed at byte \(offset): \(String(cString: strerror(err)))")
        }
        offset += n
      }
    }
  }

  private static func currentHostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.isEmpty ? "localhost" : name.replacingOccurrences(of: "/", with: "_")
  }
}

@inline(__always)
private func closeDescriptor(_ fd: Int32) -> Int32 {
  #if canImport(Glibc)
    Glibc.close(fd)
  #else
    Darwin.close(fd)
  #endif
}
