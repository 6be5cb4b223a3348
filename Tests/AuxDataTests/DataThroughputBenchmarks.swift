import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

/// Loader and decoder throughput, printed, never asserted (DEVELOPING.md: speed is measured, not
/// tested). Runs only with `AUXMTL_BENCH=1`:
///
///     AUXMTL_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter DataThroughputBenchmarks
@Suite("Data throughput benchmarks", .enabled(if: ProcessInfo.processInfo.environment["AUXMTL_BENCH"] != nil), .serialized)
struct DataThroughputBenchmarks {
  static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }

  @Test("Fashion-MNIST: reading the four .gz files, and one epoch of each task set")
  func fashion() throws {
    let dir = try FashionMNISTFiles.locate()
    let read = try Self.seconds { _ = try FashionMNISTFiles.read(directory: dir) }
    print("bench fashion-mnist read+gunzip+validate 4 files: \(String(format: "%.3f", read)) s")
    let files = try FashionMNISTFiles.load()
    let fashion = try FashionMNISTTaskSet(files: files, split: FashionMNISTSplit(.train))
    let multi = MultiFashionDataset(files: files, split: FashionMNISTSplit(.train))
    for (name, d) in [("fashion", fashion as any MultiTaskDataset), ("multi-fashion", multi)] {
      for prefetch in [0, 2] {
        let t = try LoaderThroughput.measure(DataLoader(d, DataLoaderOptions(batchSize: 128, prefetch: prefetch)))
        print("bench \(name) train epoch, batch 128, prefetch \(prefetch): \(t)")
      }
    }
  }

  @Test("NYUv2 288x384 NPY samples with MTAN augmentation; Cityscapes 256x512 PNG/TIFF samples")
  func denseLayouts() throws {
    let root = try Fixtures.temporaryDirectory("bench")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeNYUv2(root: root.appendingPathComponent("nyuv2"), split: "train", count: 16, h: 288, w: 384)
    let nyu = try NYUv2Dataset(root: root.appendingPathComponent("nyuv2"), split: .train)
    for aug in [nil, Augmentation.mtanNYUv2] {
      let t = try LoaderThroughput.measure(DataLoader(nyu, DataLoaderOptions(batchSize: 4, prefetch: 0, augmentation: aug)), epochs: 2)
      print("bench nyuv2 288x384, batch 4, \(aug == nil ? "no augmentation" : "MTAN scale crop + flip"): \(t)")
    }
    try PaperLayouts.writeCityscapes(root: root.appendingPathComponent("cityscapes"), split: "train", count: 16, h: 256, w: 512)
    let city = try CityscapesDataset(root: root.appendingPathComponent("cityscapes"), split: .train)
    for aug in [nil, Augmentation.autoLambdaCityscapes] {
      let t = try LoaderThroughput.measure(DataLoader(city, DataLoaderOptions(batchSize: 4, prefetch: 0, augmentation: aug)), epochs: 2)
      print("bench cityscapes 256x512 (PNG stored-deflate, TIFF deflate), batch 4, \(aug == nil ? "no augmentation" : "256x256 crop + flip"): \(t)")
    }
  }

  @Test("multi-domain CIFAR-100: a 50 000-record train.bin, one multi-input epoch, batch 32")
  func cifar() throws {
    let root = try Fixtures.temporaryDirectory("bench-cifar")
    defer { try? FileManager.default.removeItem(at: root) }
    try PaperLayouts.writeCIFAR100(root.appendingPathComponent("train.bin"), fines: Array(0..<100), perFine: 500)
    var domains: [CIFAR100DomainDataset] = []
    let read = try Self.seconds { domains = try MultiDomainCIFAR100.load(root: root, split: .train) }
    print("bench cifar-100 read+validate 50000 records: \(String(format: "%.3f", read)) s")
    let loader = MultiInputLoader(domains, DataLoaderOptions(batchSize: 32, prefetch: 0, augmentation: .cifar(imagePadding: domains[0].blackPadding)))
    print("bench multi-cifar100 epoch (20 tasks x 79 steps), crop+flip: \(try LoaderThroughput.measure(loader))")
  }
}
