import AuxIO
import Foundation

/// The four Fashion-MNIST files (Xiao, Rasul, Vollgraf 2017), decoded and held in memory as bytes.
///
/// Found, in this order, in: the `dataDirectory` given (only there, when given); `$FASHION_MNIST_DIR`;
/// `$AUXMTL_DATA_DIR/fashion-mnist` or `$AUXMTL_DATA_DIR`; and `/usr/share/datasets/fashion-mnist`,
/// where Debian's `dataset-fashion-mnist` package installs them. Each file may be gzip-compressed
/// (`.gz`, as distributed) or not. Loaded files are cached per directory for the process.
public final class FashionMNISTFiles: Sendable {
  /// Where Debian's `dataset-fashion-mnist` installs the files.
  public static let debianDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
  /// The file names, without `.gz`.
  public static let fileNames = [
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
  ]
  /// The ten classes, by label.
  public static let classNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]
  /// Image side length.
  public static let side = 28

  /// The directory the files were read from.
  public let directory: URL
  /// Training images, 60 000 × 28 × 28 bytes, row-major.
  public let trainImages: [UInt8]
  /// Training labels, 60 000 values in 0…9.
  public let trainLabels: [UInt8]
  /// Test images, 10 000 × 28 × 28 bytes.
  public let testImages: [UInt8]
  /// Test labels, 10 000 values in 0…9.
  public let testLabels: [UInt8]

  /// Number of training images.
  public var trainCount: Int { trainLabels.count }
  /// Number of test images.
  public var testCount: Int { testLabels.count }

  init(directory: URL, trainImages: [UInt8], trainLabels: [UInt8], testImages: [UInt8], testLabels: [UInt8]) {
    self.directory = directory
    self.trainImages = trainImages
    self.trainLabels = trainLabels
    self.testImages = testImages
    self.testLabels = testLabels
  }

  nonisolated(unsafe) private static var cache: [String: FashionMNISTFiles] = [:]
  private static let cacheLock = NSLock()

  /// The path of `name` in `directory` (with or without `.gz`), if present.
  static func file(_ name: String, in directory: URL) -> URL? {
    for candidate in [name + ".gz", name] {
      let url = directory.appendingPathComponent(candidate)
      if FileManager.default.fileExists(atPath: url.path) { return url }
    }
    return nil
  }

  static func hasAllFiles(_ directory: URL) -> Bool {
    fileNames.allSatisfy { file($0, in: directory) != nil }
  }

  /// The directories searched, in order, for a given `dataDirectory` argument and environment.
  public static func searchPath(dataDirectory: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
    if let d = dataDirectory { return [d, d.appendingPathComponent("fashion-mnist")] }
    var dirs: [URL] = []
    if let d = environment["FASHION_MNIST_DIR"], !d.isEmpty { dirs.append(URL(fileURLWithPath: d)) }
    if let d = environment["AUXMTL_DATA_DIR"], !d.isEmpty {
      dirs.append(URL(fileURLWithPath: d).appendingPathComponent("fashion-mnist"))
      dirs.append(URL(fileURLWithPath: d))
    }
    dirs.append(debianDirectory)
    return dirs
  }

  /// The first directory of ``searchPath(dataDirectory:environment:)`` holding all four files.
  ///
  /// - Throws: ``DatasetError`` listing the directories searched and how to get the data.
  public static func locate(dataDirectory: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
    let dirs = searchPath(dataDirectory: dataDirectory, environment: environment)
    if let found = dirs.first(where: hasAllFiles) { return found }
    let names = fileNames.map { $0 + ".gz" }.joined(separator: ", ")
    throw DatasetError("""
      Fashion-MNIST not found. Searched: \(dirs.map(\.path).joined(separator: ", ")).
      To get it: on Debian/Ubuntu run `sudo apt-get install dataset-fashion-mnist` (installs \(debianDirectory.path)), \
      or put the four files \(names) (gzip-compressed or not; from https://github.com/zalandoresearch/fashion-mnist) \
      in a directory and pass it with `--set dataset.path=<directory>` (or `dataset.path` in the config), or set FASHION_MNIST_DIR to it (or AUXMTL_DATA_DIR to its parent, \
      naming the directory fashion-mnist).
      """)
  }

  /// Locates and loads the files (cached per directory).
  public static func load(dataDirectory: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FashionMNISTFiles {
    let dir = try locate(dataDirectory: dataDirectory, environment: environment)
    cacheLock.lock()
    defer { cacheLock.unlock() }
    if let cached = cache[dir.standardizedFileURL.path] { return cached }
    let files = try read(directory: dir)
    cache[dir.standardizedFileURL.path] = files
    return files
  }

  /// Reads and validates the four files in `directory` (no cache).
  public static func read(directory: URL) throws -> FashionMNISTFiles {
    func array(_ name: String, rank: Int) throws -> (IDXArray, URL) {
      guard let url = file(name, in: directory) else {
        throw DatasetError("Fashion-MNIST: \(directory.path) has no \(name).gz or \(name)")
      }
      let a = try IDX.read(url)
      guard a.dataType == .uint8, a.shape.count == rank else {
        throw FormatError(file: url.path, "expected a uint8 IDX array of rank \(rank), found \(a.dataType) with shape \(a.shape)")
      }
      if rank == 3, a.shape[1] != side || a.shape[2] != side {
        throw FormatError(file: url.path, "expected \(side)x\(side) images, found shape \(a.shape)")
      }
      return (a, url)
    }
    let (ti, _) = try array(fileNames[0], rank: 3)
    let (tl, tlURL) = try array(fileNames[1], rank: 1)
    let (si, _) = try array(fileNames[2], rank: 3)
    let (sl, slURL) = try array(fileNames[3], rank: 1)
    guard ti.shape[0] == tl.shape[0] else {
      throw FormatError(file: tlURL.path, "\(tl.shape[0]) labels for \(ti.shape[0]) training images")
    }
    guard si.shape[0] == sl.shape[0] else {
      throw FormatError(file: slURL.path, "\(sl.shape[0]) labels for \(si.shape[0]) test images")
    }
    let trainLabels = tl.bytes(), testLabels = sl.bytes()
    if let bad = trainLabels.first(where: { $0 > 9 }) {
      throw FormatError(file: tlURL.path, "label \(bad) is outside 0...9")
    }
    if let bad = testLabels.first(where: { $0 > 9 }) {
      throw FormatError(file: slURL.path, "label \(bad) is outside 0...9")
    }
    return FashionMNISTFiles(
      directory: directory, trainImages: ti.bytes(), trainLabels: trainLabels, testImages: si.bytes(), testLabels: testLabels)
  }
}
