import AuxEngine
import AuxTestSupport
import Testing

/// Large inputs are split over threads by planes; each plane alone is below the splitting
/// threshold and runs serially. The two must agree exactly, forward and backward.
@Suite("Plane-parallel pooling and resizing")
struct PlaneSplitTests {
  static let ops: [(String, @Sendable (Tensor) -> Tensor)] = [
    ("maxPool2d", { $0.maxPool2d(kernelSize: 3, stride: 2, padding: 1) }),
    ("avgPool2d", { $0.avgPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true) }),
    ("adaptiveAvgPool2d", { $0.adaptiveAvgPool2d(outputSize: [7, 5]) }),
    ("upsampleBilinear2d", { $0.upsampleBilinear2d(scaleFactor: 2, alignCorners: false) }),
  ]

  @Test("a batch split over threads equals the planes run one by one", arguments: 0..<4)
  func splitMatchesSerial(op index: Int) {
    let (name, f) = Self.ops[index]
    let (N, C, H, W) = (4, 8, 48, 48)  // 73 728 input elements: above Parallel.minimumParallelWork
    let x = randomTensor([N, C, H, W], seed: 21)
    let xl = x.requiringGrad()
    let y = f(xl)
    let gy = randomTensor(y.shape, seed: 22)
    let gx = Autograd.gradients(of: [y], seeds: [gy], wrt: [xl])[0]!
    let planes = x.reshaped([N * C, 1, H, W])
    let outPlane = y.count / (N * C)
    let gyPlanes = gy.reshaped([N * C, 1, y.shape[2], y.shape[3]])
    var yRef: [Float] = []
    var gxRef: [Float] = []
    for p in 0..<(N * C) {
      let xp = planes.gatherRows([p]).detached().requiringGrad()
      let yp = f(xp)
      #expect(yp.count == outPlane)
      yRef += yp.scalars
      gxRef += Autograd.gradients(of: [yp], seeds: [gyPlanes.gatherRows([p])], wrt: [xp])[0]!.scalars
    }
    // Exact equality (zero tolerance), reported as the first differing element.
    #expect(Closeness.mismatch(y, Tensor(shape: y.shape, scalars: yRef), rtol: 0, atol: 0) == nil, "\(name) forward")
    #expect(Closeness.mismatch(gx, Tensor(shape: gx.shape, scalars: gxRef), rtol: 0, atol: 0) == nil, "\(name) backward")
  }
}
