import AuxEngine
import AuxIO
import AuxTestSupport
import Foundation
import Testing

@testable import AuxData

/// These tests read the real Fashion-MNIST files (Debian `dataset-fashion-mnist`, installed by
/// `make test`'s dependency step). Without them they fail with the loader's own instructions.
@Suite("Fashion-MNIST")
struct FashionMNISTTests {
  static func files() throws -> FashionMNISTFiles { try FashionMNISTFiles.load() }

  @Test("the four files load with the published sizes and class balance")
  func files() throws {
    let f = try Self.files()
    #expect(f.trainCount == 60_000 && f.testCount == 10_000)
    #expect(f.trainImages.count == 60_000 * 784 && f.testImages.count == 10_000 * 784)
    var counts = [Int](repeating: 0, count: 10)
    for l in f.trainLabels { counts[Int(l)] += 1 }
    #expect(counts == [Int](repeating: 6000, count: 10))
    #expect(f.trainImages.contains(255) && f.trainImages.contains(0))
  }

  @Test("splits are fixed by the seed, disjoint, and cover the training set")
  func splits() throws {
    let f = try Self.files()
    let tr = FashionMNISTSplit(.train, seed: 4).indices(trainCount: f.trainCount, testCount: f.testCount)
    let va = FashionMNISTSplit(.validation, seed: 4).indices(trainCount: f.trainCount, testCount: f.testCount)
    #expect(tr.count == 54_000 && va.count == 6_000)
    #expect(Set(tr).isDisjoint(with: va) && Set(tr + va).count == 60_000)
    #expect(va == FashionMNISTSplit(.validation, seed: 4).indices(trainCount: f.trainCount, testCount: f.testCount))
    #expect(va != FashionMNISTSplit(.validation, seed: 5).indices(trainCount: f.trainCount, testCount: f.testCount))
    #expect(FashionMNISTSplit(.test, limit: 7).indices(trainCount: f.trainCount, testCount: f.testCount) == Array(0..<7))
  }

  @Test("fashion task set: item, group, rotation and denoise labels agree with the files")
  func taskSet() throws {
    let f = try Self.files()
    let d = try FashionMNISTTaskSet(files: f, split: FashionMNISTSplit(.train, seed: 1, limit: 300), options: .init(seed: 7))
    #expect(d.count == 300 && d.tasks.map(\.name) == ["item", "group", "rotation", "denoise"])
    var rotations = [Int](repeating: 0, count: 4)
    for i in 0..<d.count {
      let s = try d.sample(at: i)
      let fileIndex = d.fileIndices[i]
      let item = Int(f.trainLabels[fileIndex])
      #expect(s.labels["item"]!.scalars == [Float(item)])
      #expect(s.labels["group"]!.scalars == [Float(FashionMNISTTaskSet.groupOfClass[item])])
      let k = Int(s.labels["rotation"]!.item)
      rotations[k] += 1
      // The denoise target is the clean image rotated by k; rotating back gives the file's pixels.
      let clean = s.labels["denoise"]!
      let back = ImageKernels.rotate90(clean, k: -k)
      let raw = (0..<784).map { Float(f.trainImages[fileIndex * 784 + $0]) / 255 }
      #expect(back.scalars == raw)
      #expect(s.masks["denoise"]!.scalars.allSatisfy { $0 == 1 })
      // The input is the target plus noise of the configured size.
      let noise = zip(s.image.scalars, clean.scalars).map { $0 - $1 }
      let std = (noise.map { $0 * $0 }.reduce(0, +) / 784).squareRoot()
      #expect(abs(std - 0.2) < 0.03)
    }
    #expect(rotations.allSatisfy { $0 > 50 })
    // Deterministic: the same sample twice, and the same image under another limit.
    let a = try d.sample(at: 17), b = try d.sample(at: 17)
    #expect(a.image.scalars == b.image.scalars)
    let wider = try FashionMNISTTaskSet(files: f, split: FashionMNISTSplit(.train, seed: 1, limit: 400), options: .init(seed: 7))
    #expect(try wider.sample(at: 17).image.scalars == a.image.scalars)
    let other = try FashionMNISTTaskSet(files: f, split: FashionMNISTSplit(.train, seed: 1, limit: 300), options: .init(seed: 8))
    #expect(try other.sample(at: 17).image.scalars != a.image.scalars)
  }

  @Test("group map: the coarse groups of the ten classes")
  func groups() {
    let names = FashionMNISTFiles.classNames
    func group(_ n: String) -> Int { FashionMNISTTaskSet.groupOfClass[names.firstIndex(of: n)!] }
    #expect(["T-shirt/top", "Pullover", "Coat", "Shirt"].allSatisfy { group($0) == 0 })
    #expect(["Trouser", "Dress"].allSatisfy { group($0) == 1 })
    #expect(["Sandal", "Sneaker", "Ankle boot"].allSatisfy { group($0) == 2 })
    #expect(group("Bag") == 3)
  }

  @Test("inputs follow the options: clean and upright without rotation and noise; bad options fail")
  func options() throws {
    let f = try Self.files()
    let d = try FashionMNISTTaskSet(
      files: f, split: FashionMNISTSplit(.test, limit: 5), options: .init(tasks: ["group", "item"], rotateInput: false, noiseStandardDeviation: 0))
    #expect(d.tasks.map(\.name) == ["group", "item"])
    let s = try d.sample(at: 3)
    #expect(s.image.scalars == (0..<784).map { Float(f.testImages[3 * 784 + $0]) / 255 })
    #expect(s.labels.keys.sorted() == ["group", "item"])
    #expect(throws: DatasetError.self) { try FashionMNISTTaskSet(files: f, split: FashionMNISTSplit(.test), options: .init(tasks: ["rotation"], rotateInput: false)) }
    #expect(throws: DatasetError.self) { try FashionMNISTTaskSet(files: f, split: FashionMNISTSplit(.test), options: .init(tasks: ["denoise"], noiseStandardDeviation: 0)) }
    #expect(throws: DatasetError.self) { try FashionMNISTTaskSet(files: f, split: FashionMNISTSplit(.test), options: .init(tasks: ["colour"])) }
  }

  @Test("multi-fashion: left item top-left, partner bottom-right, max overlay, 36→28 nearest")
  func multiFashion() throws {
    let f = try Self.files()
    let d = MultiFashionDataset(files: f, split: FashionMNISTSplit(.test, limit: 200), seed: 3)
    #expect(d.tasks.map(\.name) == ["left", "right"])
    var partners = Set<Int>()
    for i in [0, 1, 57, 199] {
      let s = try d.sample(at: i)
      let p = d.partner(of: i)
      partners.insert(p)
      #expect(s.labels["left"]!.item == Float(f.testLabels[i]) && s.labels["right"]!.item == Float(f.testLabels[p]))
      // Independent reconstruction with plain arrays.
      var canvas = [[Float]](repeating: [Float](repeating: 0, count: 36), count: 36)
      for y in 0..<28 {
        for x in 0..<28 { canvas[y][x] = Float(f.testImages[i * 784 + y * 28 + x]) }
      }
      for y in 0..<28 {
        for x in 0..<28 { canvas[y + 6][x + 6] = max(canvas[y + 6][x + 6], Float(f.testImages[p * 784 + y * 28 + x])) }
      }
      for y in 0..<28 {
        for x in 0..<28 {
          let sy = Int((Double(y) + 0.5) * 36 / 28), sx = Int((Double(x) + 0.5) * 36 / 28)
          #expect(s.image[0, y, x] == canvas[sy][sx] / 255)
        }
      }
    }
    #expect(partners.count > 1)
    #expect(try d.sample(at: 57).image.scalars == (try d.sample(at: 57)).image.scalars)
  }

  @Test("when the files are missing the error says how to get them")
  func missing() throws {
    let empty = try Fixtures.temporaryDirectory("no-fashion")
    defer { try? FileManager.default.removeItem(at: empty) }
    do {
      _ = try FashionMNISTFiles.locate(dataDirectory: empty)
      Issue.record("an empty directory must not be accepted")
    } catch let e as DatasetError {
      #expect(e.message.contains("apt-get install dataset-fashion-mnist"))
      #expect(e.message.contains("train-images-idx3-ubyte.gz") && e.message.contains(empty.path))
    }
    // The environment variables are searched in order, before the Debian directory.
    let path = FashionMNISTFiles.searchPath(dataDirectory: nil, environment: ["FASHION_MNIST_DIR": "/a", "AUXMTL_DATA_DIR": "/b"])
    #expect(path.map(\.path) == ["/a", "/b/fashion-mnist", "/b", FashionMNISTFiles.debianDirectory.path])
  }

  @Test("a directory of tiny IDX files (gzip or raw) is found through FASHION_MNIST_DIR and validated")
  func tinyFiles() throws {
    let dir = try Fixtures.temporaryDirectory("tiny-fashion")
    defer { try? FileManager.default.removeItem(at: dir) }
    let n = 6
    let images = Data((0..<(n * 784)).map { UInt8($0 % 251) })
    let labels = Data((0..<n).map { UInt8($0 % 10) })
    try IDX.write(IDXArray(dataType: .uint8, shape: [n, 28, 28], payload: images), to: dir.appendingPathComponent("train-images-idx3-ubyte.gz"), gzip: true)
    try IDX.write(IDXArray(dataType: .uint8, shape: [n], payload: labels), to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
    try IDX.write(IDXArray(dataType: .uint8, shape: [n, 28, 28], payload: images), to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
    try IDX.write(IDXArray(dataType: .uint8, shape: [n], payload: labels), to: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"), gzip: true)
    let found = try FashionMNISTFiles.locate(environment: ["FASHION_MNIST_DIR": dir.path])
    #expect(found.path == dir.path)
    let files = try FashionMNISTFiles.read(directory: dir)
    #expect(files.trainCount == n && files.testLabels == [UInt8](labels))
    try IDX.write(IDXArray(dataType: .uint8, shape: [n], payload: Data(repeating: 12, count: n)), to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
    do {
      _ = try FashionMNISTFiles.read(directory: dir)
      Issue.record("label 12 must be refused")
    } catch let e as FormatError {
      #expect(e.file.hasSuffix("train-labels-idx1-ubyte") && e.message.contains("12"))
    }
  }
}
