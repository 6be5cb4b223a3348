import AuxEngine
import AuxTestSupport
import Testing

/// A NaN that enters ReLU, clamp, max-pool or max/min comes out as NaN, as in PyTorch, so that a
/// bad pixel cannot vanish on its way to the loss (where the trainer stops the run, named).
@Suite("NaN propagation")
struct NaNPropagationTests {
  @Test("ReLU and clamp keep NaN; ReLU passes its gradient, clamp gives it none (PyTorch's rules)")
  func elementwise() {
    let x = Tensor(shape: [5], scalars: [.nan, -1, 0.5, .infinity, -.infinity]).requiringGrad()
    let r = x.relu()
    #expect(r.scalars[0].isNaN)
    #expect(Array(r.scalars[1...]) == [0, 0.5, .infinity, 0])
    #expect(Autograd.gradients(of: [r.sum()], wrt: [x])[0]!.scalars == [1, 0, 1, 1, 0])

    let c = x.clamped(min: -0.5, max: 0.25)
    #expect(c.scalars[0].isNaN)
    #expect(Array(c.scalars[1...]) == [-0.5, 0.25, 0.25, -0.5])
    #expect(Autograd.gradients(of: [c.sum()], wrt: [x])[0]!.scalars == [0, 0, 0, 0, 0])
    #expect(x.clamped(min: 0).scalars[0].isNaN && x.clamped(max: 0).scalars[0].isNaN)
  }

  @Test("a NaN pixel survives a ReLU → max-pool stack and reaches the loss")
  func pixelReachesLoss() {
    var pixels = [Float](repeating: 0.25, count: 2 * 8 * 8)
    pixels[8 * 8 + 3 * 8 + 5] = .nan  // channel 1, row 3, column 5
    let x = Tensor(shape: [1, 2, 8, 8], scalars: pixels)
    let y = x.relu().maxPool2d(kernelSize: 2).relu().maxPool2d(kernelSize: 2)
    let nan = y.scalars.indices.filter { y.scalars[$0].isNaN }
    #expect(nan == [1 * 4 + 0 * 2 + 1], "only the window that holds the pixel, got \(nan)")
    #expect(y.mean().item.isNaN)
  }

  @Test("PyTorch fixture: relu, clamp, max_pool2d, max/min(dim), argmax/argmin and max() with NaN and ±inf")
  func fixture() throws {
    let f = try OpsFixture("nan")
    try f.verify("relu", inputs: ["x"]) { $0[0].relu() }
    try f.verify("clamp_both", inputs: ["x"]) { $0[0].clamped(min: -0.5, max: 0.5) }
    try f.verify("clamp_min", inputs: ["x"]) { $0[0].clamped(min: -0.25) }
    try f.verify("clamp_max", inputs: ["x"]) { $0[0].clamped(max: 0.25) }
    try f.verify("max_pool_k2", inputs: ["p"]) { $0[0].maxPool2d(kernelSize: 2) }
    try f.verify("max_pool_k3_s1_p1", inputs: ["p"]) { $0[0].maxPool2d(kernelSize: 3, stride: 1, padding: 1) }
    try f.verify("max_dim1", inputs: ["m"]) { $0[0].max(axis: 1) }
    try f.verify("min_dim1", inputs: ["m"]) { $0[0].min(axis: 1) }
    try f.verify("max_dim0", inputs: ["m"]) { $0[0].max(axis: 0) }
    try f.verify("max_all", inputs: ["one"]) { $0[0].max() }
    let m = try f.tensor("max_dim1.m")
    #expect(m.argmax(axis: 1).scalars == (try f.tensor("argmax_dim1")).scalars)
    #expect(m.argmin(axis: 1).scalars == (try f.tensor("argmin_dim1")).scalars)
  }
}
