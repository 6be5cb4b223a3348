import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

@Suite("Non-finite data")
struct NonFiniteDataTests {
  @Test("a NaN depth or an infinite image pixel in NYUv2 is refused, naming the file, the entry and the value")
  func nyuv2() throws {
    let root = try Fixtures.temporaryDirectory("nyu-nan")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeNYUv2(root: root, split: "train", count: 2)
    let d = try NYUv2Dataset(root: root, split: .train)
    _ = try d.sample(at: 1)

    var depth = [Float](repeating: 1, count: 6 * 8)
    depth[2 * 8 + 5] = .nan  // row 2, column 5
    try NPY.write(Tensor(shape: [6, 8, 1], scalars: depth), to: root.appendingPathComponent("train/depth/1.npy"))
    let error = try #require(throws: FormatError.self) { _ = try d.sample(at: 1) }
    #expect(error.description.contains("train/depth/1.npy"), "\(error)")
    #expect(error.description.contains("depth entry [2, 5, 0] (flat index 21 of shape [6, 8, 1]) is nan"), "\(error)")

    var image = [Float](repeating: 0.5, count: 6 * 8 * 3)
    image[image.count - 1] = -.infinity
    try NPY.write(Tensor(shape: [6, 8, 3], scalars: image), to: root.appendingPathComponent("train/image/0.npy"))
    let imageError = try #require(throws: FormatError.self) { _ = try d.sample(at: 0) }
    #expect(imageError.description.contains("train/image/0.npy") && imageError.description.contains("[5, 7, 2]") && imageError.description.contains("-inf"), "\(imageError)")
  }

  @Test("the finiteness scan finds NaN, +inf and −inf anywhere and passes the largest finite values")
  func scan() {
    var values = [Float](repeating: 0, count: 37)
    values[3] = .greatestFiniteMagnitude
    values[4] = -.greatestFiniteMagnitude
    values[5] = .leastNonzeroMagnitude
    #expect(FiniteValues.firstNonFinite(Tensor(shape: [37], scalars: values)) == nil)
    for (i, v) in [(0, Float.nan), (17, Float.infinity), (36, -Float.infinity)] {
      var bad = values
      bad[i] = v
      #expect(FiniteValues.firstNonFinite(Tensor(shape: [37], scalars: bad)) == i)
    }
  }
}
