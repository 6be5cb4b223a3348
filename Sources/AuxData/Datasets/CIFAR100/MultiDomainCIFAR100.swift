import AuxEngine
import AuxIO
import Foundation

/// The records of a CIFAR-100 binary file (`cifar-100-binary/train.bin` or `test.bin`), in memory.
///
/// Each record is 3074 bytes: the coarse label (0…19), the fine label (0…99), then 3072 pixel
/// bytes — 1024 red, 1024 green, 1024 blue, each 32×32 row-major.
public final class CIFAR100Records: Sendable {
  /// Bytes per record: coarse label, fine label, 3072 pixels.
  public static let recordSize = 3074
  /// The file the records were read from.
  public let file: URL
  /// Coarse (superclass) label of each record.
  public let coarse: [UInt8]
  /// Fine label of each record.
  public let fine: [UInt8]
  /// Pixel bytes of all records, 3072 per record.
  public let pixels: [UInt8]

  public var count: Int { fine.count }

  /// Reads and validates a CIFAR-100 binary file: its size must be a multiple of 3074 bytes and
  /// every record's coarse label must be the standard superclass of its fine label.
  public init(file: URL) throws {
    let data: Data
    do {
      data = try Data(contentsOf: file, options: .mappedIfSafe)
    } catch {
      throw DatasetError("CIFAR-100: cannot read \(file.path) (\(FileErrorText.describe(error))); expected the binary release's cifar-100-binary/train.bin and test.bin")
    }
    let size = Self.recordSize
    guard !data.isEmpty, data.count % size == 0 else {
      throw FormatError(file: file.path, "file of \(data.count) bytes is not a whole number of \(size)-byte records (1 coarse label byte, 1 fine label byte, 3072 pixel bytes)")
    }
    let n = data.count / size
    var coarse = [UInt8](repeating: 0, count: n)
    var fine = [UInt8](repeating: 0, count: n)
    var pixels = [UInt8](repeating: 0, count: n * 3072)
    var problem: String?
    data.withUnsafeBytes { raw in
      let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
      coarse.withUnsafeMutableBufferPointer { c in
        fine.withUnsafeMutableBufferPointer { f in
          pixels.withUnsafeMutableBufferPointer { p in
            for r in 0..<n {
              let rec = base + r * size
              c[r] = rec[0]
              f[r] = rec[1]
              guard rec[1] < 100, rec[0] < 20, Int(rec[0]) == MultiDomainCIFAR100.coarseOfFine[Int(rec[1])] else {
                problem = "record \(r) (byte offset \(r * size)) has coarse label \(rec[0]) and fine label \(rec[1]); expected a fine label 0...99 and its superclass \(rec[1] < 100 ? String(MultiDomainCIFAR100.coarseOfFine[Int(rec[1])]) : "?") (is this the CIFAR-100 binary release, not CIFAR-10?)"
                return
              }
              (p.baseAddress! + r * 3072).update(from: rec + 2, count: 3072)
            }
          }
        }
      }
    }
    if let problem { throw FormatError(file: file.path, problem) }
    self.file = file
    self.coarse = coarse
    self.fine = fine
    self.pixels = pixels
  }
}

/// Multi-domain CIFAR-100 as Auto-Lambda builds it (`CIFAR100MTL`): 20 tasks, one per
/// superclass, each a 5-way classification of its fine classes relabelled 0…4 by ascending fine
/// id (`np.unique(..., return_inverse=True)`). The task is multi-input: each task has its own
/// images, so ``load(root:split:normalization:)`` returns one dataset per domain, for a
/// ``MultiInputLoader``.
public enum MultiDomainCIFAR100 {
  /// The standard CIFAR-100 fine → coarse table (as hard-coded in Auto-Lambda's `CIFAR100MTL`).
  public static let coarseOfFine: [Int] = [
    4, 1, 14, 8, 0, 6, 7, 7, 18, 3, 3, 14, 9, 18, 7, 11, 3, 9, 7, 11,
    6, 11, 5, 10, 7, 6, 13, 15, 3, 15, 0, 11, 1, 10, 12, 14, 16, 9, 11, 5,
    5, 19, 8, 8, 15, 13, 14, 17, 18, 10, 16, 4, 17, 4, 2, 0, 17, 4, 18, 17,
    10, 3, 2, 12, 12, 16, 12, 1, 9, 19, 2, 10, 0, 1, 16, 12, 9, 13, 15, 13,
    16, 19, 2, 4, 6, 19, 5, 5, 8, 19, 18, 1, 2, 15, 6, 0, 17, 8, 14, 13,
  ]
  /// Superclass names, by coarse label.
  public static let domainNames = [
    "aquatic mammals", "fish", "flowers", "food containers", "fruit and vegetables", "household electrical devices",
    "household furniture", "insects", "large carnivores", "large man-made outdoor things", "large natural outdoor scenes",
    "large omnivores and herbivores", "medium-sized mammals", "non-insect invertebrates", "people", "reptiles",
    "small mammals", "trees", "vehicles 1", "vehicles 2",
  ]
  /// The five fine ids of each domain, ascending: position = the domain's class label.
  public static let fineClassesOfDomain: [[Int]] = (0..<20).map { d in (0..<100).filter { coarseOfFine[$0] == d } }

  /// The binary file of `split` under `root` (`root/cifar-100-binary/<split>.bin`, or
  /// `root/<split>.bin` when `root` is the `cifar-100-binary` directory itself).
  public static func file(root: URL, split: DataSplit) throws -> URL {
    let name: String
    switch split {
    case .train: name = "train.bin"
    case .test: name = "test.bin"
    case .validation:
      throw DatasetError("multi-domain CIFAR-100 has no validation split: use .train (train.bin) or .test (test.bin)", missingSplit: .validation)
    }
    let candidates = [root.appendingPathComponent("cifar-100-binary/\(name)"), root.appendingPathComponent(name)]
    guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
      throw DatasetError("CIFAR-100: found neither \(candidates.map(\.path).joined(separator: " nor ")); expected the CIFAR-100 binary release (cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html) unpacked under the data directory")
    }
    return found
  }

  /// One dataset per domain (task `domain_k` for superclass k; Auto-Lambda reports them as
  /// `class_k`), images `[3, 32, 32]` normalised by `normalization` (default Auto-Lambda's mean
  /// and standard deviation).
  public static func load(root: URL, split: DataSplit, normalization: ImageNormalization = .cifar100) throws -> [CIFAR100DomainDataset] {
    let records = try CIFAR100Records(file: file(root: root, split: split))
    var members = [[Int]](repeating: [], count: 20)
    for r in 0..<records.count { members[Int(records.coarse[r])].append(r) }
    return try (0..<20).map { d in
      guard !members[d].isEmpty else {
        throw FormatError(file: records.file.path, "domain \(d) (\(domainNames[d])) has no records")
      }
      return CIFAR100DomainDataset(records: records, domain: d, split: split, recordIndices: members[d], normalization: normalization)
    }
  }
}

/// One domain (superclass) of multi-domain CIFAR-100: a single 5-way task.
public struct CIFAR100DomainDataset: MultiTaskDataset {
  /// All records of the split's file (shared by the 20 domains).
  public let records: CIFAR100Records
  /// The superclass (coarse label) this task covers.
  public let domain: Int
  /// `.train` (train.bin) or `.test` (test.bin).
  public let split: DataSplit
  /// Record numbers of this domain's images, in file order.
  public let recordIndices: [Int]
  /// Normalisation applied to images in [0, 1].
  public let normalization: ImageNormalization
  public let tasks: [TaskLabelSpec]

  public var name: String { "cifar100-\(split)-domain\(domain)" }
  public var count: Int { recordIndices.count }
  public var imageShape: [Int] { [3, 32, 32] }

  init(records: CIFAR100Records, domain: Int, split: DataSplit, recordIndices: [Int], normalization: ImageNormalization) {
    self.records = records
    self.domain = domain
    self.split = split
    self.recordIndices = recordIndices
    self.normalization = normalization
    tasks = [TaskLabelSpec(name: "domain_\(domain)", kind: .classIndex(classes: 5))]
  }

  /// Padding equal to a black pixel after normalisation, for ``Augmentation/cifar(imagePadding:)``.
  public var blackPadding: ImageKernels.Padding { normalization.paddingForZero(channels: 3) }

  public func sample(at index: Int) throws -> Sample {
    precondition(index >= 0 && index < count, "CIFAR100DomainDataset.sample: index \(index) out of range 0..<\(count)")
    let r = recordIndices[index]
    var image = Tensor.uninitialized([3, 32, 32])
    records.pixels.withUnsafeBufferPointer { src in
      image.withUnsafeMutableBufferPointer { dst in
        let s = src.baseAddress! + r * 3072
        for i in 0..<3072 { dst[i] = Float(s[i]) / 255 }
      }
    }
    normalization.apply(&image)
    let fine = Int(records.fine[r])
    let label = MultiDomainCIFAR100.fineClassesOfDomain[domain].firstIndex(of: fine)!
    return Sample(image: image, labels: [tasks[0].name: Tensor([Float(label)])])
  }
}
