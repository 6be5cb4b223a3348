import AuxEngine
import AuxIO
import AuxTestSupport
import Testing

@Suite("Bilinear resizing")
struct UpsampleBilinearTests {
  @Test("finite-difference gradients", arguments: [false, true])
  func gradients(alignCorners: Bool) {
    let x = randomTensor([2, 2, 4, 5], seed: 1)
    for f in [
      { (t: Tensor) in t.upsampleBilinear2d(scaleFactor: 2, alignCorners: alignCorners) },
      { (t: Tensor) in t.upsampleBilinear2d(size: [7, 3], alignCorners: alignCorners) },
      { (t: Tensor) in t.upsampleBilinear2d(scaleFactor: (1.7, 0.6), alignCorners: alignCorners) },
    ] {
      let r = GradientCheck.check([x], maxProbes: 80) { f($0[0]) }
      #expect(r.passed, "\(r)")
    }
  }

  @Test("align_corners keeps the corner pixels; a same-size resize is the identity")
  func corners() {
    let x = randomTensor([1, 1, 3, 4], seed: 2)
    let y = x.upsampleBilinear2d(size: [5, 9], alignCorners: true)
    #expect(y[0, 0, 0, 0] == x[0, 0, 0, 0] && y[0, 0, 4, 8] == x[0, 0, 2, 3] && y[0, 0, 0, 8] == x[0, 0, 0, 3])
    #expect(x.upsampleBilinear2d(size: [3, 4]).scalars == x.scalars)
  }

  @Test("PyTorch fixtures: up- and downsampling, by size and by scale, both align_corners", arguments: [
    "up_x2", "up_x2_align", "up_x4", "up_scale_1_7x2_5", "up_scale_1_7x2_5_align", "size_7x9", "size_7x9_align",
    "down_size_3x4", "down_size_3x4_align", "down_scale_0_5", "size_to_1", "same_height",
  ])
  func fixture(name: String) throws {
    let f = try Fixtures.load("conv_upsample")
    let c = try f.tensor("\(name).config").scalars
    let align = c[4] == 1
    let x = try f.tensor("\(name).x").requiringGrad()
    let y: Tensor
    if c[0] > 0 {
      y = x.upsampleBilinear2d(size: Size2D(Int(c[0]), Int(c[1])), alignCorners: align)
    } else {
      // The file stores the scale factors as F64; undo the Float round trip of the reader.
      let scale = (Double(c[2] * 1000).rounded() / 1000, Double(c[3] * 1000).rounded() / 1000)
      y = x.upsampleBilinear2d(scaleFactor: scale, alignCorners: align)
    }
    #expect(Closeness.mismatch(y, try f.tensor("\(name).y"), rtol: 1e-4, atol: 1e-6) == nil, "y")
    let gx = Autograd.gradients(of: [y], seeds: [try f.tensor("\(name).gy")], wrt: [x])[0]!
    #expect(Closeness.mismatch(gx, try f.tensor("\(name).gx"), rtol: 1e-4, atol: 1e-6) == nil, "gx")
  }
}
