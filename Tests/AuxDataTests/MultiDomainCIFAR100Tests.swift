import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

@Suite("Multi-domain CIFAR-100")
struct MultiDomainCIFAR100Tests {
  @Test("the fine→coarse table gives 20 domains of 5 classes, matching Auto-Lambda's class lists")
  func table() {
    #expect(MultiDomainCIFAR100.fineClassesOfDomain.allSatisfy { $0.count == 5 })
    // Auto-Lambda's class_dict: "fruit and vegetables" = apple 0, mushroom 51, orange 53, pear 57,
    // sweet_pepper 83; "vehicles 2" = lawn_mower 41, rocket 69, streetcar 81, tank 85, tractor 89.
    #expect(MultiDomainCIFAR100.fineClassesOfDomain[4] == [0, 51, 53, 57, 83])
    #expect(MultiDomainCIFAR100.fineClassesOfDomain[19] == [41, 69, 81, 85, 89])
  }

  @Test("records split into 20 single-task datasets, fine classes relabelled 0...4 by sorted id")
  func loads() throws {
    let root = try Fixtures.temporaryDirectory("cifar")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeCIFAR100(root.appendingPathComponent("cifar-100-binary/train.bin"), fines: Array(0..<100), perFine: 2)
    let domains = try MultiDomainCIFAR100.load(root: root, split: .train, normalization: .unit)
    #expect(domains.count == 20 && domains.allSatisfy { $0.count == 10 })
    #expect(domains[3].tasks == [TaskLabelSpec(name: "domain_3", kind: .classIndex(classes: 5))])
    for d in [0, 7, 19] {
      let ds = domains[d]
      for i in 0..<ds.count {
        let s = try ds.sample(at: i)
        let fine = Int(ds.records.fine[ds.recordIndices[i]])
        #expect(MultiDomainCIFAR100.coarseOfFine[fine] == d)
        #expect(s.labels["domain_\(d)"]!.item == Float(MultiDomainCIFAR100.fineClassesOfDomain[d].firstIndex(of: fine)!))
        let r = ds.recordIndices[i] / 100  // repetition number in the writer
        #expect(s.image.shape == [3, 32, 32])
        #expect(s.image[1, 0, 5] == Float((5 + fine + 7 + r) % 256) / 255)
        #expect(s.image[2, 1, 0] == Float((32 + fine + 14 + r) % 256) / 255)
      }
    }
    // Normalised by default with Auto-Lambda's statistics; black pads to the normalised zero.
    let normed = try MultiDomainCIFAR100.load(root: root.appendingPathComponent("cifar-100-binary"), split: .train)
    let s = try normed[0].sample(at: 0)
    let raw = try domains[0].sample(at: 0)
    #expect(abs(s.image[0, 3, 3] - (raw.image[0, 3, 3] - 0.5071) / 0.2675) < 1e-5)
  }

  @Test("wrong files fail with messages naming the file and the record")
  func errors() throws {
    let root = try Fixtures.temporaryDirectory("cifar-bad")
    defer { try? FileManager.default.removeItem(at: root) }
    let url = root.appendingPathComponent("train.bin")
    #expect(throws: DatasetError.self) { try MultiDomainCIFAR100.load(root: root, split: .train) }
    try Data(count: 3074 * 2 + 5).write(to: url)
    do {
      _ = try MultiDomainCIFAR100.load(root: root, split: .train)
      Issue.record("a partial record must fail")
    } catch let e as FormatError {
      #expect(e.file == url.path && e.message.contains("3074"))
    }
    // CIFAR-10-like data: coarse label 3 with fine label 0 (apple's superclass is 4).
    var rec = Data([3, 0]) + Data(count: 3072)
    try rec.write(to: url)
    do {
      _ = try MultiDomainCIFAR100.load(root: root, split: .train)
      Issue.record("an inconsistent coarse label must fail")
    } catch let e as FormatError {
      #expect(e.message.contains("record 0") && e.message.contains("superclass 4"))
    }
    rec = Data([4, 0]) + Data(count: 3072)
    try rec.write(to: url)
    #expect(throws: FormatError.self) { try MultiDomainCIFAR100.load(root: root, split: .train) }  // other domains empty
  }

  @Test("multi-input loading: one batch of every domain per step, CIFAR augmentation")
  func multiInput() throws {
    let root = try Fixtures.temporaryDirectory("cifar-mi")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeCIFAR100(root.appendingPathComponent("test.bin"), fines: Array(0..<100), perFine: 3)
    let domains = try MultiDomainCIFAR100.load(root: root, split: .test)
    let loader = MultiInputLoader(domains, DataLoaderOptions(batchSize: 4, seed: 0, prefetch: 0, augmentation: .cifar(imagePadding: domains[0].blackPadding)))
    #expect(loader.stepsPerEpoch == 4)  // 15 images per domain, batches of 4
    let it = loader.steps(epoch: 0)
    var steps = 0
    while let s = try it.next() {
      steps += 1
      #expect(s.batches.count == 20 && s.tasks[19] == "domain_19")
      #expect(s.batches.allSatisfy { $0.images.shape[1...] == [3, 32, 32] })
    }
    #expect(steps == 4)
  }
}
