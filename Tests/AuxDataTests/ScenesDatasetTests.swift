import AuxData
import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@Suite("Scenes dataset")
struct ScenesDatasetTests {
  static let config = ScenesConfig(height: 32, width: 40, seed: 5)

  static func same(_ a: Sample, _ b: Sample) -> Bool {
    a.image.scalars == b.image.scalars && a.labels.keys.sorted() == b.labels.keys.sorted()
      && a.labels.allSatisfy { b.labels[$0.key]!.scalars == $0.value.scalars && b.labels[$0.key]!.shape == $0.value.shape }
      && a.masks.keys.sorted() == b.masks.keys.sorted()
      && a.masks.allSatisfy { b.masks[$0.key]!.scalars == $0.value.scalars && b.masks[$0.key]!.shape == $0.value.shape }
  }

  @Test("tasks, shapes and splits: disjoint scene ranges independent of split sizes")
  func splits() throws {
    let train = try ScenesDataset(config: Self.config, split: .train, count: 5)
    let val = try ScenesDataset(config: Self.config, split: .validation, count: 3)
    let test = try ScenesDataset(config: Self.config, split: .test)
    #expect(train.name == "scenes-train" && val.name == "scenes-validation" && test.count == 1000)
    #expect(train.tasks.map(\.name) == ["semantic", "depth", "normal", "edge"])
    #expect(train.tasks.map(\.kind) == [.denseClass(classes: 7, ignoreIndex: -1), .denseRegression(channels: 1), .unitVector,
                                        .denseClass(classes: 2, ignoreIndex: -1)])
    #expect(train.imageShape == [3, 32, 40])
    let s = try train.sample(at: 2)
    #expect(s.image.shape == [3, 32, 40] && s.labels["semantic"]!.shape == [32, 40] && s.labels["depth"]!.shape == [1, 32, 40])
    #expect(s.labels["normal"]!.shape == [3, 32, 40] && s.labels["edge"]!.shape == [32, 40])
    #expect(s.masks["depth"]!.shape == [1, 32, 40] && s.masks["normal"]!.shape == [1, 32, 40])
    let g = ScenesGenerator(config: Self.config)
    #expect(Self.same(s, g.sample(index: 2)))
    #expect(Self.same(try val.sample(at: 1), g.sample(index: (1 << 40) + 1)))
    #expect(Self.same(try test.sample(at: 0), g.sample(index: 1 << 41)))
    #expect(!Self.same(try train.sample(at: 0), try val.sample(at: 0)))
    let bigger = try ScenesDataset(config: Self.config, split: .validation, count: 50)
    #expect(Self.same(try bigger.sample(at: 2), try val.sample(at: 2)))
  }

  @Test("the NPY cache is written once, reused, repaired when invalid, and tied to its configuration")
  func cache() throws {
    let root = try Fixtures.temporaryDirectory("scenes-cache")
    defer { try? FileManager.default.removeItem(at: root) }
    let ds = try ScenesDataset(config: Self.config, split: .validation, count: 3, cacheDirectory: root)
    #expect(try ds.fillCache() == 3)
    #expect(try ds.fillCache() == 0)
    let cache = try #require(ds.cache)
    let dir = cache.directory
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("manifest.json").path))
    for array in ["image", "semantic", "depth", "normal", "edge"] {
      let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(array).path).sorted()
      #expect(files == [(1 << 40), (1 << 40) + 1, (1 << 40) + 2].map { "\($0).npy" }.sorted(), "\(array): \(files)")
    }
    // A second dataset over the same directory reads identical samples from the files.
    let again = try ScenesDataset(config: Self.config, split: .validation, count: 3, cacheDirectory: root)
    let g = ScenesGenerator(config: Self.config)
    for i in 0..<3 { #expect(Self.same(try again.sample(at: i), g.sample(index: (1 << 40) + i))) }
    let npy = try NPY.read(cache.file("depth", scene: 1 << 40))
    #expect(npy.shape == [1, 32, 40] && npy.tensor.scalars == g.sample(index: 1 << 40).labels["depth"]!.scalars)

    // Reuse is real: a valid file with other contents is returned as is.
    let gray = Tensor(shape: [3, 32, 40], repeating: 0.5)
    try NPY.write(gray, to: cache.file("image", scene: (1 << 40) + 1))
    #expect(try again.sample(at: 1).image.scalars == gray.scalars)

    // Invalid files (wrong shape, truncated, implausible values) are regenerated and rewritten.
    try NPY.write(Tensor(shape: [3, 40, 32], repeating: 0.5), to: cache.file("image", scene: 1 << 40))
    try Data([0x93, 0x4E]).write(to: cache.file("normal", scene: (1 << 40) + 2))
    try NPY.write(Tensor(shape: [32, 40], repeating: 9), to: cache.file("semantic", scene: (1 << 40) + 1))
    #expect(!cache.isValid(scene: 1 << 40) && !cache.isValid(scene: (1 << 40) + 2))
    #expect(Self.same(try again.sample(at: 0), g.sample(index: 1 << 40)))
    #expect(Self.same(try again.sample(at: 1), g.sample(index: (1 << 40) + 1)))
    #expect(try again.fillCache() == 1)
    #expect(cache.isValid(scene: 1 << 40) && cache.isValid(scene: (1 << 40) + 1) && cache.isValid(scene: (1 << 40) + 2))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("image").path)
    #expect(leftovers.allSatisfy { !$0.hasPrefix(".") }, "temporary files left: \(leftovers)")

    // Another configuration gets its own directory; a manifest that disagrees is refused.
    var other = Self.config
    other.noise = 0
    let otherCache = try ScenesCache(root: root, config: other)
    #expect(otherCache.directory != dir)
    let manifest = dir.appendingPathComponent("manifest.json")
    let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "\"seed\" : 5", with: "\"seed\" : 6")
    #expect(text.contains("\"seed\" : 6"))
    try text.write(to: manifest, atomically: true, encoding: .utf8)
    do {
      _ = try ScenesDataset(config: Self.config, split: .validation, count: 3, cacheDirectory: root)
      Issue.record("a manifest for another configuration must be refused")
    } catch let e as FormatError {
      #expect(e.file == manifest.path && e.message.contains("manifest"))
    }
  }

  @Test("the preview grid has one row per scene and five columns drawn from the labels")
  func previewGrid() throws {
    let g = ScenesGenerator(config: ScenesConfig(height: 32, width: 32, seed: 3))
    let grid = ScenesPreview.grid(generator: g, scenes: [4, 9], padding: 2)
    #expect(grid.width == 5 * 32 + 6 * 2 && grid.height == 2 * 32 + 3 * 2)
    #expect(grid.pixels.count == grid.width * grid.height * 3)
    let r = g.render(index: 9)
    let sem = r.semantic.scalars, edge = r.edge.scalars
    var wrong = 0
    for y in 0..<32 {
      for x in 0..<32 {
        let rowTop = 2 + 1 * (32 + 2)
        // Column 1: semantic palette; column 4: edges.
        let s = ((rowTop + y) * grid.width + 2 + 1 * 34 + x) * 3
        if Array(grid.pixels[s..<(s + 3)]) != ScenesPreview.palette[Int(sem[y * 32 + x])] { wrong += 1 }
        let e = ((rowTop + y) * grid.width + 2 + 4 * 34 + x) * 3
        if grid.pixels[e] != (edge[y * 32 + x] > 0 ? 255 : 0) { wrong += 1 }
      }
    }
    #expect(wrong == 0)
    let dir = try Fixtures.temporaryDirectory("scenes-png")
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("grid.png")
    try ScenesPreview.writePNG(generator: g, scenes: [4, 9], to: url)
    let bytes = try Data(contentsOf: url)
    #expect(Array(bytes.prefix(8)) == PNGWriter.signature)
  }
}
