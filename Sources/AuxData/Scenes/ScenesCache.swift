import AuxEngine
import AuxIO
import Foundation

/// An on-disk NPY cache of `scenes` samples for one configuration.
///
/// Layout (NYUv2-MTAN-like, one file per scene and array, float32 little-endian NPY v1.0):
/// ```
/// <root>/scenes-v<version>-<H>x<W>-<key>/
///   manifest.json          generator version and configuration
///   image/<scene>.npy      [3, H, W]
///   semantic/<scene>.npy   [H, W]
///   depth/<scene>.npy      [1, H, W]   (0 where nothing is hit)
///   normal/<scene>.npy     [3, H, W]
///   edge/<scene>.npy       [H, W]
/// ```
/// `<key>` is a hash of the configuration, `<scene>` the global scene index. The masks of `depth`
/// and `normal` are not stored: a pixel is valid exactly where its depth is positive. Every file
/// is written atomically. A file is reused when it reads as NPY with the expected shape and
/// plausible values (classes in range, edges binary, depth non-negative and finite); otherwise the
/// scene is rendered and written again.
public struct ScenesCache: Sendable {
  /// The directory of this configuration's files.
  public let directory: URL
  /// The configuration the cache holds.
  public let config: ScenesConfig

  /// The arrays stored per scene and their shapes.
  static func arrays(height h: Int, width w: Int) -> [(name: String, shape: [Int])] {
    [("image", [3, h, w]), ("semantic", [h, w]), ("depth", [1, h, w]), ("normal", [3, h, w]), ("edge", [h, w])]
  }

  struct Manifest: Codable, Equatable {
    var generator: String
    var version: Int
    var config: ScenesConfig
  }

  /// Opens (creating if needed) the cache for `config` under `root`.
  /// - Throws: ``FormatError`` when an existing manifest is unreadable or describes another
  ///   configuration, or the directory cannot be created.
  public init(root: URL, config: ScenesConfig) throws {
    self.config = config
    let key = Self.key(config)
    directory = root.appendingPathComponent("scenes-v\(ScenesGenerator.version)-\(config.height)x\(config.width)-\(key)")
    let manifestURL = directory.appendingPathComponent("manifest.json")
    let expected = Manifest(generator: "auxmtl scenes", version: ScenesGenerator.version, config: config)
    if FileManager.default.fileExists(atPath: manifestURL.path) {
      let found: Manifest
      do {
        found = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL))
      } catch {
        throw FormatError(file: manifestURL.path, "cannot read the scenes cache manifest (expected JSON with generator, version and config): \(FileErrorText.describe(error))")
      }
      guard found == expected else {
        throw FormatError(file: manifestURL.path, "scenes cache manifest describes version \(found.version) with \(found.config), expected version \(expected.version) with \(config); remove the directory or use another cache root")
      }
    } else {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      do {
        try AtomicFile.write(encoder.encode(expected), to: manifestURL)
      } catch let e as FormatError {
        throw e
      } catch {
        throw FormatError(file: manifestURL.path, "cannot write the scenes cache manifest: \(error)")
      }
    }
  }

  /// A stable 64-bit FNV-1a hash of the configuration's fields, as 16 hex digits.
  static func key(_ c: ScenesConfig) -> String {
    let text = "\(c.height) \(c.width) \(c.seed) \(c.minObjects) \(c.maxObjects) \(c.textures) \(c.noise.bitPattern) \(c.antiAliasing) \(c.horizontalFieldOfView.bitPattern) \(c.creaseThreshold.bitPattern)"
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in text.utf8 {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01B3
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// The file of one array of one scene.
  public func file(_ array: String, scene: Int) -> URL {
    directory.appendingPathComponent(array).appendingPathComponent("\(scene).npy")
  }

  /// The cached sample of `scene`, or nil when any of its files is missing or invalid.
  public func load(scene: Int) -> Sample? {
    var tensors: [String: Tensor] = [:]
    for (name, shape) in Self.arrays(height: config.height, width: config.width) {
      guard let a = try? NPY.read(file(name, scene: scene)), a.shape == shape, Self.plausible(name, a.tensor) else { return nil }
      tensors[name] = a.tensor
    }
    let depth = tensors["depth"]!
    var valid = Tensor.uninitialized(depth.shape)
    depth.withUnsafeBufferPointer { d in
      valid.withUnsafeMutableBufferPointer { m in
        for i in 0..<d.count { m[i] = d[i] > 0 ? 1 : 0 }
      }
    }
    return Sample(
      image: tensors["image"]!,
      labels: ["semantic": tensors["semantic"]!, "depth": depth, "normal": tensors["normal"]!, "edge": tensors["edge"]!],
      masks: ["depth": valid, "normal": valid])
  }

  /// Whether every file of `scene` is present and valid.
  public func isValid(scene: Int) -> Bool { load(scene: scene) != nil }

  /// Writes the arrays of a generated sample (atomically, file by file).
  public func store(_ sample: Sample, scene: Int) throws {
    for (name, _) in Self.arrays(height: config.height, width: config.width) {
      let t = name == "image" ? sample.image : sample.labels[name]!
      try NPY.write(t, to: file(name, scene: scene))
    }
  }

  /// Cheap value checks that catch files from another generator or a torn write.
  static func plausible(_ name: String, _ t: Tensor) -> Bool {
    t.withUnsafeBufferPointer { p in
      switch name {
      case "semantic": return p.allSatisfy { $0 >= 0 && $0 < Float(SceneClass.allCases.count) && $0 == $0.rounded() }
      case "edge": return p.allSatisfy { $0 == 0 || $0 == 1 }
      case "depth": return p.allSatisfy { $0 >= 0 && $0.isFinite }
      case "image": return p.allSatisfy { $0 >= 0 && $0 <= 1 }
      default: return p.allSatisfy { $0.isFinite && Swift.abs($0) <= 1.0001 }
      }
    }
  }
}
