import AuxEngine
import AuxIO
import Foundation

/// A folder of generated pseudo labels, one NPY file per task, split and key:
/// `<directory>/<task>-<split>-<key>.npy` (float32, written atomically).
///
/// The key is a hash of everything the labels depend on (the teacher's weights, its task, the
/// label kind and threshold, the data); when any of them changes the key changes, the old file is
/// no longer used and the labels are generated again. A file that does not read as NPY of the
/// expected shape counts as absent and is replaced.
public struct PseudoLabelCache: Sendable {
  public let directory: URL

  public init(directory: URL) {
    self.directory = directory
  }

  /// The key of a list of descriptive parts (each part on its own line, hashed).
  public static func key(_ parts: [String]) -> String {
    ContentHash.hex(parts.joined(separator: "\n"))
  }

  /// The file of a task's labels on a split under `key`.
  public func url(task: String, split: DataSplit, key: String) -> URL {
    directory.appendingPathComponent("\(task)-\(split.rawValue)-\(key).npy")
  }

  /// The cached labels, or nil when there is no usable file (missing, unreadable, or of another
  /// shape than `shape`).
  public func load(task: String, split: DataSplit, key: String, shape: [Int]) -> Tensor? {
    let u = url(task: task, split: split, key: key)
    guard FileManager.default.fileExists(atPath: u.path), let array = try? NPY.read(u), array.shape == shape,
      array.dtype == .float32
    else { return nil }
    return array.tensor
  }

  /// Writes labels atomically (creating the folder).
  ///
  /// - Throws: ``AuxIO/FormatError`` when the folder or file cannot be written.
  public func store(_ labels: Tensor, task: String, split: DataSplit, key: String) throws {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw FormatError(file: directory.path, "cannot create the pseudo-label cache folder: \(error.localizedDescription)")
    }
    try NPY.write(labels, to: url(task: task, split: split, key: key))
  }
}
