import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

@Suite("Image kernels")
struct ImageKernelsTests {
  static func fixture() throws -> SafetensorsArchive { try Fixtures.load("augmentation") }

  static func close(_ a: Tensor, _ b: Tensor, atol: Float = 1e-6) -> Bool {
    a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= atol + 1e-6 * abs($1) }
  }

  @Test("resize matches torch F.interpolate (nearest; bilinear align_corners=True)",
    arguments: [(11, 5), (14, 18), (4, 4), (7, 9), (3, 20)])
  func resize(h: Int, w: Int) throws {
    let f = try Self.fixture()
    let x = try f.tensor("x")
    let n = ImageKernels.resize(x, toHeight: h, toWidth: w, mode: .nearest)
    #expect(n.scalars == (try f.tensor("resize_nearest_\(h)x\(w)")).scalars)
    let b = ImageKernels.resize(x, toHeight: h, toWidth: w, mode: .bilinearAlignCorners)
    #expect(Self.close(b, try f.tensor("resize_bilinear_\(h)x\(w)")))
  }

  @Test("a window resized back matches torch (the MTAN scale-crop path)")
  func window() throws {
    let f = try Self.fixture()
    let x = try f.tensor("x")
    let n = ImageKernels.resize(x, top: 1, left: 2, height: 5, width: 6, toHeight: 7, toWidth: 9, mode: .nearest)
    #expect(n.scalars == (try f.tensor("window_nearest")).scalars)
    let b = ImageKernels.resize(x, top: 1, left: 2, height: 5, width: 6, toHeight: 7, toWidth: 9, mode: .bilinearAlignCorners)
    #expect(Self.close(b, try f.tensor("window_bilinear")))
  }

  @Test("rot90 matches torch.rot90 for k = 0...3 and -1 equals 3", arguments: 0..<4)
  func rotate(k: Int) throws {
    let f = try Self.fixture()
    let x = try f.tensor("x")
    let r = ImageKernels.rotate90(x, k: k)
    let want = try f.tensor("rot90_\(k)")
    #expect(r.shape == want.shape && r.scalars == want.scalars)
    if k == 3 { #expect(ImageKernels.rotate90(x, k: -1).scalars == want.scalars) }
  }

  @Test("reflect padding equals numpy.pad(mode='reflect'); constant padding fills per channel")
  func padding() throws {
    let f = try Self.fixture()
    let x = try f.tensor("x")
    let r = ImageKernels.crop(x, top: -3, left: -3, height: 13, width: 15, padding: .reflect)
    #expect(r.scalars == (try f.tensor("reflect_pad3")).scalars)
    let c = ImageKernels.crop(x, top: -1, left: 7, height: 3, width: 4, padding: .perChannel([5, -5]))
    // Row 0 is above the image; columns 2 and 3 are right of it.
    #expect(c[0, 0, 0] == 5 && c[1, 0, 3] == -5 && c[0, 1, 3] == 5 && c[1, 2, 2] == -5)
    #expect(c[0, 1, 0] == x[0, 0, 7] && c[1, 2, 1] == x[1, 1, 8])
    // A window inside the image is a plain slice.
    let inner = ImageKernels.crop(x, top: 2, left: 3, height: 4, width: 5, padding: .constant(0))
    #expect(inner[1, 3, 4] == x[1, 5, 7] && inner[0, 0, 0] == x[0, 2, 3])
  }

  @Test("flip reverses columns; channelsFirst moves H×W×C to C×H×W")
  func flipAndLayout() {
    let x = Tensor(shape: [2, 2, 3], scalars: (0..<12).map(Float.init))
    let f = ImageKernels.flipHorizontal(x)
    #expect(f.scalars == [2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9])
    let hwc = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
    let chw = ImageKernels.channelsFirst(hwc)
    #expect(chw.shape == [2, 2, 3])
    #expect(chw.scalars == [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11])
    #expect(ImageKernels.channelsFirst(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])).shape == [1, 2, 2])
  }

  @Test("multi-fashion's 36→28 nearest rule is Pillow's")
  func pilNearest() throws {
    let want = try Self.fixture().tensor("pil_nearest_36_28")
    let idx = MultiFashionDataset.sourceIndex
    for y in 0..<28 {
      for x in 0..<28 { #expect(want[y, x] == Float(idx[y] * 36 + idx[x]), "pixel \(y), \(x)") }
    }
  }
}
