import AuxData
import AuxEngine
import Testing

@Suite("Label kinds")
struct LabelKindTests {
  @Test("dense kinds are transformed by spatial augmentation; per-sample kinds are not")
  func denseKinds() {
    #expect(LabelKind.denseClass(classes: 13, ignoreIndex: -1).isDense)
    #expect(LabelKind.denseRegression(channels: 1).isDense)
    #expect(LabelKind.unitVector.isDense)
    #expect(!LabelKind.classIndex(classes: 10).isDense)
    #expect(!LabelKind.softLabel(classes: 5).isDense)
  }

  @Test("a batch counts its samples")
  func batchCount() {
    let b = Batch(images: Tensor.zeros([3, 1, 2, 2]), labels: ["y": Tensor.zeros([3])], indices: [4, 5, 6])
    #expect(b.count == 3)
  }
}
