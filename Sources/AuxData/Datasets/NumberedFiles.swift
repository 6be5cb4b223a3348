import Foundation

/// Checks of the numbered-file layouts (`0.ext`, `1.ext`, …) the paper datasets use.
enum NumberedFiles {
  /// Number of samples in `directory`: the count of `*.ext` files in `reference`, which must be
  /// named `0.ext`…`N−1.ext`, with a file of each index in every directory of `others` (with
  /// its own extension: `extensions[0]` for `reference`, then one per `others` entry).
  ///
  /// - Throws: ``DatasetError`` naming the missing directory or file and the expected layout.
  static func count(in directory: URL, reference: String, others: [String], extensions: [String], layout: String) throws -> Int {
    precondition(extensions.count == others.count + 1, "NumberedFiles.count: one extension per directory")
    let fm = FileManager.default
    for dir in [reference] + others {
      var isDir: ObjCBool = false
      let path = directory.appendingPathComponent(dir).path
      guard fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
        throw DatasetError("\(layout): directory \(path) is missing")
      }
    }
    let refDir = directory.appendingPathComponent(reference)
    let ext = extensions[0]
    let names = try fm.contentsOfDirectory(atPath: refDir.path).filter { $0.hasSuffix(".\(ext)") }
    guard !names.isEmpty else {
      throw DatasetError("\(layout): \(refDir.path) holds no .\(ext) files")
    }
    let n = names.count
    var seen = [Bool](repeating: false, count: n)
    for name in names {
      guard let i = Int(name.dropLast(ext.count + 1)), i >= 0, i < n, !seen[i] else {
        throw DatasetError("\(layout): \(refDir.appendingPathComponent(name).path) is not named 0.\(ext)...\(n - 1).\(ext) (\(n) files)")
      }
      seen[i] = true
    }
    for (dir, e) in zip(others, extensions.dropFirst()) {
      for i in 0..<n {
        let path = directory.appendingPathComponent("\(dir)/\(i).\(e)").path
        guard fm.fileExists(atPath: path) else {
          throw DatasetError("\(layout): \(path) is missing (\(reference)/ has \(n) files, so \(dir)/ needs 0.\(e)...\(n - 1).\(e))")
        }
      }
    }
    return n
  }
}
