import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

@Suite("NYUv2 (MTAN layout)")
struct NYUv2Tests {
  @Test("reads images, labels, depth and normals; channels first; masks from 0 depth and zero normals")
  func reads() throws {
    let root = try Fixtures.temporaryDirectory("nyu")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeNYUv2(root: root, split: "train", count: 3)
    try PaperLayouts.writeNYUv2(root: root, split: "val", count: 2)
    let train = try NYUv2Dataset(root: root, split: .train, imageNormalization: .unit)
    let test = try NYUv2Dataset(root: root, split: .test)
    #expect(train.count == 3 && test.count == 2 && train.imageShape == [3, 6, 8])
    #expect(train.tasks.map(\.kind) == [.denseClass(classes: 13, ignoreIndex: -1), .denseRegression(channels: 1), .unitVector])
    let s = try train.sample(at: 2)
    #expect(s.image.shape == [3, 6, 8] && s.labels["semantic"]!.shape == [6, 8])
    #expect(s.labels["depth"]!.shape == [1, 6, 8] && s.labels["normal"]!.shape == [3, 6, 8])
    for y in 0..<6 {
      for x in 0..<8 {
        for c in 0..<3 { #expect(abs(s.image[c, y, x] - (Float(2 + y * 8 + x) / 1000 + Float(c) / 10)) < 1e-6) }
        #expect(s.labels["semantic"]![y, x] == Float((y * 8 + x + 2) % 14 - 1))
        let invalid = (x + y + 2) % 5 == 0
        #expect(s.masks["depth"]![0, y, x] == (invalid ? 0 : 1))
        #expect(s.labels["depth"]![0, y, x] == (invalid ? 0 : 1 + Float(x) / 10))
        #expect(s.masks["normal"]![0, y, x] == (x == 0 ? 0 : 1))
      }
    }
    // Auto-Lambda's default 2x − 1.
    let t = try test.sample(at: 1)
    #expect(abs(t.image[0, 0, 0] - (2 * 0.001 - 1)) < 1e-6)
    // The depth policy divides by the zoom factor.
    #expect(train.denseLabelPolicy(for: train.tasks[1]).valueScaling == .divideByScale)
    #expect(throws: DatasetError.self) { try NYUv2Dataset(root: root, split: .validation) }
  }

  @Test("layout mistakes fail with messages naming the file and what was expected")
  func layoutErrors() throws {
    let root = try Fixtures.temporaryDirectory("nyu-bad")
    defer { try? FileManager.default.removeItem(at: root) }
    func message(_ body: () throws -> Void) -> String {
      do {
        try body()
        return ""
      } catch let e as DatasetError {
        return e.message
      } catch let e as FormatError {
        return e.description
      } catch {
        return "\(error)"
      }
    }
    #expect(message { _ = try NYUv2Dataset(root: root, split: .train) }.contains("\(root.path)/train/image is missing"))
    try PaperLayouts.writeNYUv2(root: root, split: "train", count: 3)
    try FileManager.default.removeItem(at: root.appendingPathComponent("train/normal/1.npy"))
    #expect(message { _ = try NYUv2Dataset(root: root, split: .train) }.contains("train/normal/1.npy is missing"))
    try PaperLayouts.writeNYUv2(root: root, split: "train", count: 3)
    try FileManager.default.moveItem(at: root.appendingPathComponent("train/image/2.npy"), to: root.appendingPathComponent("train/image/7.npy"))
    #expect(message { _ = try NYUv2Dataset(root: root, split: .train) }.contains("7.npy is not named 0.npy...2.npy"))
    try FileManager.default.moveItem(at: root.appendingPathComponent("train/image/7.npy"), to: root.appendingPathComponent("train/image/2.npy"))
    let d = try NYUv2Dataset(root: root, split: .train)
    try NPY.write(Tensor.zeros([6, 8, 2]), to: root.appendingPathComponent("train/normal/1.npy"))
    let shapeMessage = message { _ = try d.sample(at: 1) }
    #expect(shapeMessage.contains("train/normal/1.npy") && shapeMessage.contains("[6, 8, 3]") && shapeMessage.contains("[6, 8, 2]"))
    try NPY.write(Tensor(shape: [6, 8], repeating: 13), to: root.appendingPathComponent("train/label/0.npy"))
    let labelMessage = message { _ = try d.sample(at: 0) }
    #expect(labelMessage.contains("train/label/0.npy") && labelMessage.contains("13.0"))
  }

  @Test("MTAN augmentation keeps labels consistent on real-layout samples")
  func augmented() throws {
    let root = try Fixtures.temporaryDirectory("nyu-aug")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeNYUv2(root: root, split: "train", count: 4)
    let d = try NYUv2Dataset(root: root, split: .train)
    let loader = DataLoader(d, DataLoaderOptions(batchSize: 2, seed: 1, prefetch: 1, augmentation: .mtanNYUv2))
    let it = loader.batches(epoch: 0)
    while let b = try it.next() {
      #expect(b.images.shape == [2, 3, 6, 8] && b.labels["semantic"]!.shape == [2, 6, 8])
      let labels = b.labels["semantic"]!.scalars
      #expect(labels.allSatisfy { $0 >= -1 && $0 <= 12 && $0 == $0.rounded() })
      let n = b.labels["normal"]!, m = b.masks["normal"]!
      for k in 0..<2 {
        for y in 0..<6 {
          for x in 0..<8 where m[k, 0, y, x] == 1 {
            let len = (0..<3).map { n[k, $0, y, x] * n[k, $0, y, x] }.reduce(0, +).squareRoot()
            #expect(abs(len - 1) < 1e-5)
          }
        }
      }
    }
  }

  @Test("an empty image (H or W of 0) fails naming image/0.npy instead of stopping the first convolution")
  func emptyImage() throws {
    let root = try Fixtures.temporaryDirectory("nyu-empty")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeNYUv2(root: root, split: "train", count: 2, h: 0, w: 8)
    let error = #expect(throws: FormatError.self) { _ = try NYUv2Dataset(root: root, split: .train) }
    let text = try #require(error).description
    #expect(text.contains("train/image/0.npy") && text.contains("H, W ≥ 1") && text.contains("[0, 8, 3]"), "\(text)")
  }
}
