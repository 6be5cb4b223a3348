import AuxEngine
import AuxTestSupport
import Testing

@Suite("slice, concat, stack")
struct SliceConcatTests {
  @Test("slice values follow Python's rules")
  func sliceValues() {
    let x = Tensor(shape: [2, 5], scalars: (0..<10).map(Float.init))
    #expect(x.sliced(axis: 1, range: 1..<3).scalars == [1, 2, 6, 7])
    #expect(x.sliced(axis: -1, start: 1, end: nil, step: 2).scalars == [1, 3, 6, 8])
    #expect(x.sliced(axis: 1, start: -2).scalars == [3, 4, 8, 9])
    #expect(x.sliced(axis: 1, start: 3, end: 1).shape == [2, 0])
    #expect(x.sliced(axis: 1, start: -100, end: 100, step: 3).scalars == [0, 3, 5, 8])
    #expect(x.sliced(axis: 0, range: 1..<2).scalars == [5, 6, 7, 8, 9])
  }

  @Test("finite-difference gradients of slices")
  func sliceGradients() {
    let x = TestData.uniform([3, 5, 4], seed: 1)
    let cases: [(String, ([Tensor]) -> Tensor)] = [
      ("range axis 1", { $0[0].sliced(axis: 1, range: 1..<4) }),
      ("step 2 axis -1", { $0[0].sliced(axis: -1, start: 0, end: 4, step: 2) }),
      ("negative start axis 0", { $0[0].sliced(axis: 0, start: -2) }),
      ("step 3", { $0[0].sliced(axis: 1, start: 1, step: 3) }),
    ]
    for (name, f) in cases {
      let r = GradientCheck.check([x], f)
      #expect(r.passed, "\(name): \(r)")
    }
  }

  @Test("concat and stack values")
  func values() {
    let a = Tensor(shape: [2, 1], scalars: [1, 2])
    let b = Tensor(shape: [2, 2], scalars: [3, 4, 5, 6])
    #expect(Tensor.concat([a, b], axis: 1).scalars == [1, 3, 4, 2, 5, 6])
    #expect(Tensor.concat([b, b], axis: 0).shape == [4, 2])
    let s = Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], axis: 1)
    #expect(s.shape == [2, 2] && s.scalars == [1, 3, 2, 4])
    #expect(Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], axis: -1).scalars == [1, 3, 2, 4])
    #expect(Tensor.stack([Tensor([1, 2]), Tensor([3, 4])]).scalars == [1, 2, 3, 4])
  }

  @Test("finite-difference gradients of concat and stack (constants mixed in)")
  func gradients() {
    let a = TestData.uniform([2, 3, 4], seed: 2)
    let b = TestData.uniform([2, 1, 4], seed: 3)
    let c = TestData.uniform([2, 3, 2], seed: 4)
    let r1 = GradientCheck.check([a, b]) { Tensor.concat([$0[0], $0[1], $0[0]], axis: 1) }
    #expect(r1.passed, "concat axis 1 (an input twice): \(r1)")
    let r2 = GradientCheck.check([a, c]) { Tensor.concat([$0[0], $0[1]], axis: -1) }
    #expect(r2.passed, "concat axis -1: \(r2)")
    let r3 = GradientCheck.check([a, b], wrt: [0]) { Tensor.concat([$0[0], $0[1]], axis: 1) }
    #expect(r3.passed, "concat with a constant: \(r3)")
    let r4 = GradientCheck.check([a, a * 2]) { Tensor.stack([$0[0], $0[1]], axis: 2) }
    #expect(r4.passed, "stack axis 2: \(r4)")
    let r5 = GradientCheck.check([a, a * 2]) { Tensor.stack([$0[0], $0[1]], axis: 0) }
    #expect(r5.passed, "stack axis 0: \(r5)")
  }

  @Test("PyTorch fixture: slices, cat, stack")
  func fixture() throws {
    let f = try OpsFixture("shape")
    try f.verify("slice_step", inputs: ["a"]) { $0[0].sliced(axis: 1, start: 1, end: 5, step: 2) }
    try f.verify("slice_last", inputs: ["a"]) { $0[0].sliced(axis: -1, range: 0..<2) }
    try f.verify("slice_negative", inputs: ["a"]) { $0[0].sliced(axis: 1, start: -3) }
    try f.verify("concat_axis1", inputs: ["b", "c", "d"]) { Tensor.concat($0, axis: 1) }
    try f.verify("concat_axis0", inputs: ["e", "f"]) { Tensor.concat($0, axis: 0) }
    try f.verify("stack_axis1", inputs: ["p", "q", "r"]) { Tensor.stack($0, axis: 1) }
    try f.verify("stack_last", inputs: ["p", "q"]) { Tensor.stack($0, axis: -1) }
  }
}
