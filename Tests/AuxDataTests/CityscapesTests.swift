import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

@Suite("Cityscapes (Auto-Lambda layout)")
struct CityscapesTests {
  @Test("label ids map to Auto-Lambda's 19 train ids, ignore ids to -1")
  func labelMap() {
    let expected: [Int: Int] = [
      7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9, 23: 10, 24: 11, 25: 12, 26: 13, 27: 14, 28: 15,
      31: 16, 32: 17, 33: 18,
    ]
    for id in 0...33 {
      #expect(CityscapesLabels.trainIdOfLabelId[id] == (expected[id] ?? -1), "label id \(id)")
    }
  }

  @Test("part uids decode as panoptic_parts does and map to the 10 part classes")
  func parts() {
    // decode_uids examples from its docstring: 23 → 23, 23003 → 23, 2300304 → 2304, 123456 → 156.
    #expect(CityscapesLabels.sidPid(uid: 23) == 23)
    #expect(CityscapesLabels.sidPid(uid: 23003) == 23)
    #expect(CityscapesLabels.sidPid(uid: 2_300_304) == 2304)
    #expect(CityscapesLabels.sidPid(uid: 123_456) == 156)
    for bad: Int64 in [-1, 100, 999, 10_000_000] { #expect(CityscapesLabels.sidPid(uid: bad) == nil) }
    for (uid, part) in PaperLayouts.partUIDs {
      #expect(CityscapesLabels.partClass(sidPid: CityscapesLabels.sidPid(uid: uid)!) == part, "uid \(uid)")
    }
  }

  @Test("reads image, semantic, part and disparity from PNG and TIFF files")
  func reads() throws {
    let root = try Fixtures.temporaryDirectory("cityscapes")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeCityscapes(root: root, split: "train", count: 3)
    try PaperLayouts.writeCityscapes(root: root, split: "val", count: 1)
    let d = try CityscapesDataset(root: root, split: .train)
    #expect(d.count == 3 && d.imageShape == [3, 4, 6])
    #expect(try CityscapesDataset(root: root, split: .test).count == 1)
    let i = 1
    let s = try d.sample(at: i)
    for p in 0..<24 {
      let y = p / 6, x = p % 6
      #expect(abs(s.image[0, y, x] - (2 * Float((p + i) % 256) / 255 - 1)) < 1e-6)
      #expect(abs(s.image[2, y, x] - (2 * Float(255 - p) / 255 - 1)) < 1e-6)
      #expect(s.labels["semantic"]![y, x] == Float(CityscapesLabels.trainIdOfLabelId[(p + i) % 34]))
      #expect(s.labels["part"]![y, x] == Float(PaperLayouts.partUIDs[(p + i) % PaperLayouts.partUIDs.count].part))
      let raw = p % 7 == 0 ? 0 : Float((p * 97 + i) % 700)
      #expect(s.labels["disparity"]![0, y, x] == (raw == 0 ? -1 : (raw - 1) / 1024))
      #expect(s.masks["disparity"]![0, y, x] == (raw == 0 ? 0 : 1))
    }
    let policy = d.denseLabelPolicy(for: d.tasks[2])
    #expect(policy.valueScaling == .multiplyByScale && policy.padValue == -1)
    #expect(d.denseLabelPolicy(for: d.tasks[1]).padValue == -1)
  }

  @Test("wrong files fail with messages naming the file and what was expected")
  func layoutErrors() throws {
    let root = try Fixtures.temporaryDirectory("cityscapes-bad")
    defer { try? FileManager.default.removeItem(at: root) }
    func message(_ body: () throws -> Void) -> String {
      do {
        try body()
        return ""
      } catch {
        return "\(error)"
      }
    }
    try PaperLayouts.writeCityscapes(root: root, split: "train", count: 2)
    let dir = root.appendingPathComponent("train")
    try FileManager.default.removeItem(at: dir.appendingPathComponent("part_seg/1.tif"))
    #expect(message { _ = try CityscapesDataset(root: root, split: .train) }.contains("part_seg/1.tif is missing"))
    try PaperLayouts.writeCityscapes(root: root, split: "train", count: 2)
    let d = try CityscapesDataset(root: root, split: .train)
    // An 8-bit disparity PNG.
    try TestPNG.write(dir.appendingPathComponent("depth/1.png"), width: 6, height: 4, channels: 1, bitDepth: 8, samples: [UInt16](repeating: 3, count: 24))
    var m = message { _ = try d.sample(at: 1) }
    #expect(m.contains("depth/1.png") && m.contains("16-bit"))
    try PaperLayouts.writeCityscapes(root: root, split: "train", count: 2)
    // An RGBA image.
    try TestPNG.write(dir.appendingPathComponent("image/0.png"), width: 6, height: 4, channels: 4, bitDepth: 8, samples: [UInt16](repeating: 9, count: 96))
    m = message { _ = try d.sample(at: 0) }
    #expect(m.contains("image/0.png") && m.contains("RGB"))
    try PaperLayouts.writeCityscapes(root: root, split: "train", count: 2)
    // A label id that does not exist, and a part value the uid format forbids.
    try TestPNG.write(dir.appendingPathComponent("seg/0.png"), width: 6, height: 4, channels: 1, bitDepth: 8, samples: [UInt16](repeating: 40, count: 24))
    m = message { _ = try d.sample(at: 0) }
    #expect(m.contains("seg/0.png") && m.contains("label id 40"))
    try TIFFCodec.write(TIFFImage(width: 6, height: 4, bitsPerSample: 32, isSigned: false, values: [Int64](repeating: 500, count: 24)), to: dir.appendingPathComponent("part_seg/1.tif"))
    m = message { _ = try d.sample(at: 1) }
    #expect(m.contains("part_seg/1.tif") && m.contains("500"))
    // A label image of the wrong size.
    try TestPNG.write(dir.appendingPathComponent("seg/1.png"), width: 5, height: 4, channels: 1, bitDepth: 8, samples: [UInt16](repeating: 7, count: 20))
    m = message { _ = try d.sample(at: 1) }
    #expect(m.contains("seg/1.png") && m.contains("5x4") && m.contains("6x4"))
  }

  @Test("Auto-Lambda crop: 4x4 windows, disparity padded -1 when the window exceeds the image")
  func augmented() throws {
    let root = try Fixtures.temporaryDirectory("cityscapes-aug")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeCityscapes(root: root, split: "train", count: 2)
    let d = try CityscapesDataset(root: root, split: .train)
    let aug = Augmentation([.randomCrop(height: 5, width: 4, imagePadding: .reflect), .horizontalFlip()])
    let loader = DataLoader(d, DataLoaderOptions(batchSize: 2, prefetch: 0, augmentation: aug))
    let b = try loader.batches(epoch: 0).next()!
    #expect(b.images.shape == [2, 3, 5, 4] && b.labels["part"]!.shape == [2, 5, 4])
    for k in 0..<2 {
      for x in 0..<4 {
        #expect(b.labels["disparity"]![k, 0, 4, x] == -1 && b.masks["disparity"]![k, 0, 4, x] == 0)
        #expect(b.labels["semantic"]![k, 4, x] == -1 && b.labels["part"]![k, 4, x] == -1)
      }
    }
  }
}
