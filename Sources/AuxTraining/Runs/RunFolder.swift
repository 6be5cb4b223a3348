import AuxIO
import Foundation

/// Reading and writing one run's folder (see ``RunRecord`` for its layout).
public struct RunFolder: Sendable {
  public let url: URL

  public init(_ url: URL) { self.url = url }

  public var recordURL: URL { url.appendingPathComponent("run.json") }
  public var configURL: URL { url.appendingPathComponent("config.yaml") }
  public var metricsURL: URL { url.appendingPathComponent("metrics.jsonl") }
  public var stepsURL: URL { url.appendingPathComponent("steps.jsonl") }
  public var checkpointURL: URL { url.appendingPathComponent("checkpoint.safetensors") }

  static let encoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    e.dateEncodingStrategy = .iso8601
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
  }()

  static let lineEncoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    e.dateEncodingStrategy = .iso8601
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
  }()

  static let decoder: JSONDecoder = {
    let d = JSONDecoder()
    d.dateDecodingStrategy = .iso8601
    d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return d
  }()

  /// Whether the folder holds a run record.
  public var exists: Bool { FileManager.default.fileExists(atPath: recordURL.path) }

  /// Reads `run.json`.
  public func readRecord() throws -> RunRecord {
    let data: Data
    do {
      data = try Data(contentsOf: recordURL)
    } catch {
      throw FormatError(file: recordURL.path, "cannot read the run record: \(FileErrorText.describe(error))")
    }
    do {
      return try Self.decoder.decode(RunRecord.self, from: data)
    } catch {
      throw FormatError(file: recordURL.path, "not a valid run record: \(FileErrorText.describe(error))")
    }
  }

  /// Writes `run.json` atomically.
  public func write(_ record: RunRecord) throws {
    try AtomicFile.write(Self.encoder.encode(record), to: recordURL)
  }

  /// Appends one JSON line to `file` (creating it).
  public func append<T: Encodable>(_ value: T, to file: URL) throws {
    var line = try Self.lineEncoder.encode(value)
    line.append(0x0A)
    if !FileManager.default.fileExists(atPath: file.path) {
      try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
      FileManager.default.createFile(atPath: file.path, contents: nil)
    }
    let h = try FileHandle(forWritingTo: file)
    defer { try? h.close() }
    try h.seekToEnd()
    try h.write(contentsOf: line)
  }

  /// Reads a JSON-lines file (missing file: empty).
  public func readLines<T: Decodable>(_ type: T.Type, from file: URL) throws -> [T] {
    guard FileManager.default.fileExists(atPath: file.path) else { return [] }
    let text: String
    do {
      text = try String(contentsOf: file, encoding: .utf8)
    } catch {
      throw FormatError(file: file.path, "cannot read the log: \(FileErrorText.describe(error))")
    }
    var out: [T] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
      do {
        out.append(try Self.decoder.decode(T.self, from: Data(line.utf8)))
      } catch {
        throw FormatError(file: file.path, "line \(i + 1) is not a valid \(T.self): \(FileErrorText.describe(error))")
      }
    }
    return out
  }

  /// Rewrites a JSON-lines file keeping only the entries `keep` accepts (used when resuming, to
  /// drop lines written after the checkpoint).
  public func truncateLines<T: Codable>(_ type: T.Type, in file: URL, keep: (T) -> Bool) throws {
    let kept = try readLines(type, from: file).filter(keep)
    var data = Data()
    for v in kept {
      data.append(try Self.lineEncoder.encode(v))
      data.append(0x0A)
    }
    try AtomicFile.write(data, to: file)
  }

  /// The evaluations recorded so far.
  public func evaluations() throws -> [EvaluationRecord] { try readLines(EvaluationRecord.self, from: metricsURL) }
  /// The step records logged so far.
  public func steps() throws -> [StepRecord] { try readLines(StepRecord.self, from: stepsURL) }

  /// Every run folder directly under `directory` (folders holding a `run.json`), sorted by name.
  public static func runs(in directory: URL) throws -> [RunFolder] {
    let items = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.isDirectoryKey])) ?? []
    return items.map(RunFolder.init).filter(\.exists).sorted { $0.url.lastPathComponent < $1.url.lastPathComponent }
  }

  /// Folders directly under `directory` that hold a run's files (`config.yaml`, `metrics.jsonl`,
  /// `steps.jsonl`, a checkpoint) but no `run.json`, sorted by name: a run whose record was lost.
  public static func foldersWithoutRecord(in directory: URL) -> [RunFolder] {
    let items = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.isDirectoryKey])) ?? []
    return items.map(RunFolder.init).filter { f in
      !f.exists && [f.configURL, f.metricsURL, f.stepsURL, f.checkpointURL].contains { FileManager.default.fileExists(atPath: $0.path) }
    }.sorted { $0.url.lastPathComponent < $1.url.lastPathComponent }
  }
}
