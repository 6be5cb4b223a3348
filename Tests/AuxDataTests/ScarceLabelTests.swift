import AuxData
import AuxEngine
import Foundation
import Testing

/// The label-scarce regime (``ScarceLabelDataset``) and the loader's even spreading of the
/// labelled samples (``DataLoaderOptions/spread``).
@Suite("Scarce labels")
struct ScarceLabelTests {
  @Test("keeps round(fraction·count) samples labelled, fixed by the seed; removes the others' labels the way each loss ignores them")
  func removesLabels() throws {
    let base = IndexDataset(count: 50)
    let scarce = try ScarceLabelDataset(base, tasks: ["y", "d"], fraction: 0.2, seed: 7)
    #expect(scarce.labelledIndices.count == 10)
    #expect(scarce.labelledIndices == (try ScarceLabelDataset(base, tasks: ["y", "d"], fraction: 0.2, seed: 7)).labelledIndices)
    #expect(scarce.labelledIndices != (try ScarceLabelDataset(base, tasks: ["y", "d"], fraction: 0.2, seed: 8)).labelledIndices)
    #expect(Set(scarce.labelledIndices).count == 10 && scarce.labelledIndices.allSatisfy { (0..<50).contains($0) })
    for i in 0..<50 {
      let s = try scarce.sample(at: i), b = try base.sample(at: i)
      #expect(s.image.scalars == b.image.scalars)
      #expect(s.labels["d"]!.scalars == b.labels["d"]!.scalars)
      if scarce.isLabelled(i) {
        #expect(s.labels["y"]!.scalars == b.labels["y"]!.scalars)
        #expect(s.masks["d"]!.scalars == b.masks["d"]!.scalars)
      } else {
        #expect(s.labels["y"]!.scalars == [Float(ScarceLabelDataset.missingClassIndex)])
        #expect(s.masks["d"]!.scalars.allSatisfy { $0 == 0 })
      }
    }
    #expect(ScarceLabelDataset.labelledCount(fraction: 0.001, count: 50) == 1)
    #expect(ScarceLabelDataset.labelledCount(fraction: 1, count: 50) == 50)
  }

  @Test("dense class maps get the ignore index; regression tasks without a mask get ones or zeros")
  func denseTasks() throws {
    let base = try ScenesDataset(config: ScenesConfig(height: 32, width: 32, seed: 4), split: .train, count: 8)
    let scarce = try ScarceLabelDataset(base, tasks: ["semantic", "depth"], fraction: 0.5, seed: 1)
    guard case .denseClass(_, let ignore) = base.tasks.first(where: { $0.name == "semantic" })!.kind else {
      Issue.record("semantic is not a dense class map")
      return
    }
    var labelled = 0
    for i in 0..<8 {
      let s = try scarce.sample(at: i), b = try base.sample(at: i)
      let mask = try #require(s.masks["depth"])
      if scarce.isLabelled(i) {
        labelled += 1
        #expect(s.labels["semantic"]!.scalars == b.labels["semantic"]!.scalars)
        #expect(mask.scalars == (b.masks["depth"] ?? Tensor.ones(mask.shape)).scalars)
      } else {
        #expect(s.labels["semantic"]!.scalars.allSatisfy { $0 == Float(ignore) })
        #expect(mask.scalars.allSatisfy { $0 == 0 })
      }
      #expect(s.labels["normal"]!.scalars == b.labels["normal"]!.scalars)
    }
    #expect(labelled == 4)
    // Every sample carries the mask, so a batch of labelled and unlabelled samples stacks.
    let batch = try DataLoader(scarce, DataLoaderOptions(batchSize: 8, shuffle: false, prefetch: 0)).makeBatch(indices: Array(0..<8), epoch: 0)
    #expect(batch.masks["depth"]?.shape == [8, 1, 32, 32])
  }

  @Test("refuses a fraction outside (0, 1], an unknown task and soft labels, naming them")
  func refusesBadSettings() {
    let base = IndexDataset(count: 10)
    for f in [0.0, -0.1, 1.5, Double.nan] {
      #expect(throws: DatasetError.self) { try ScarceLabelDataset(base, tasks: ["y"], fraction: f, seed: 0) }
    }
    #expect { try ScarceLabelDataset(base, tasks: ["z"], fraction: 0.5, seed: 0) } throws: { "\($0)".contains("'z'") }
    struct Soft: MultiTaskDataset {
      var name: String { "soft" }
      var count: Int { 4 }
      var tasks: [TaskLabelSpec] { [TaskLabelSpec(name: "p", kind: .softLabel(classes: 3))] }
      var imageShape: [Int] { [1, 1, 1] }
      func sample(at index: Int) throws -> Sample { Sample(image: Tensor.zeros([1, 1, 1]), labels: ["p": Tensor([0.2, 0.3, 0.5])]) }
    }
    #expect { try ScarceLabelDataset(Soft(), tasks: ["p"], fraction: 0.5, seed: 0) } throws: { "\($0)".contains("soft labels") }
  }

  @Test("spread order: a permutation, reproducible, with the marked indices evenly spaced so every full batch holds one")
  func spreadOrder() throws {
    let base = IndexDataset(count: 100)
    let marked = Array(stride(from: 3, to: 100, by: 10))  // 10 of 100
    var options = DataLoaderOptions(batchSize: 10, seed: 5, prefetch: 0)
    options.spread = marked
    let loader = DataLoader(base, options)
    for epoch in 0..<3 {
      let order = loader.order(epoch: epoch)
      #expect(order.sorted() == Array(0..<100))
      #expect(order == loader.order(epoch: epoch))
      let batches = try drain(loader.batches(epoch: epoch))
      #expect(batches.count == 10)
      for b in batches { #expect(b.indices.filter { marked.contains($0) }.count == 1, "\(b.indices)") }
    }
    #expect(loader.order(epoch: 0) != loader.order(epoch: 1))
    // A plain shuffle of the same data puts no marked sample in some batch (what spreading fixes).
    let plain = DataLoader(base, DataLoaderOptions(batchSize: 10, seed: 5, prefetch: 0))
    let counts = try drain(plain.batches(epoch: 0)).map { b in b.indices.filter { marked.contains($0) }.count }
    #expect(counts.contains(0) || counts.contains { $0 > 1 })
  }
}
