import Foundation

/// A dataset loaded by name: either one dataset whose samples carry every task's label, or one
/// dataset per task for multi-input training.
public enum LoadedDataset: Sendable {
  /// One input per sample, a label for every task (use a ``DataLoader``).
  case single(any MultiTaskDataset)
  /// One dataset per task, one batch of each per step (use a ``MultiInputLoader``).
  case multiInput([any MultiTaskDataset])

  /// The datasets (one for `.single`).
  public var datasets: [any MultiTaskDataset] {
    switch self {
    case .single(let d): [d]
    case .multiInput(let ds): ds
    }
  }

  /// All tasks, in order.
  public var tasks: [TaskLabelSpec] { datasets.flatMap(\.tasks) }
}

/// Loading auxmtl's datasets and task sets by name, with the data-directory conventions of the
/// CLI.
///
/// | name | source | kind |
/// | --- | --- | --- |
/// | `fashion` | Fashion-MNIST (``FashionMNISTTaskSet``) | single |
/// | `multi-fashion` | Fashion-MNIST pairs (``MultiFashionDataset``) | single |
/// | `nyuv2` | MTAN NPY layout (``NYUv2Dataset``) under `<data>/nyuv2` | single |
/// | `cityscapes` | Auto-Lambda layout (``CityscapesDataset``) under `<data>/cityscapes` | single |
/// | `multi-cifar100` | CIFAR-100 binary (``MultiDomainCIFAR100``) under `<data>` | multi-input |
///
/// `<data>` is the request's ``DatasetRequest/dataDirectory`` or `$AUXMTL_DATA_DIR`. For the
/// paper datasets the directory may also be the dataset's own directory (holding `train/` and
/// `val/`, or `cifar-100-binary/`). Fashion-MNIST has its own search path
/// (``FashionMNISTFiles/searchPath(dataDirectory:environment:)``).
public enum DatasetCatalog {
  /// The names ``load(_:environment:)`` accepts.
  public static let names = ["fashion", "multi-fashion", "nyuv2", "cityscapes", "multi-cifar100"]

  /// What to load.
  public struct DatasetRequest: Sendable {
    public var name: String
    /// Which split to load.
    public var split: DataSplit
    /// Where the data is (the config's `dataset.path`); nil: the environment and defaults.
    public var dataDirectory: URL?
    /// Seed of dataset-level randomness (Fashion-MNIST validation split, rotations, noise, pairs).
    public var seed: UInt64
    /// Keep only the first `limit` samples (of every dataset, for multi-input).
    public var limit: Int?
    /// Options of the `fashion` task set (its seed is replaced by ``seed``).
    public var fashion: FashionMNISTTaskSet.Options
    /// Image normalisation of `nyuv2` and `cityscapes` (Auto-Lambda's `2x − 1` by default).
    public var denseImageNormalization: ImageNormalization

    public init(
      name: String, split: DataSplit, dataDirectory: URL? = nil, seed: UInt64 = 0, limit: Int? = nil,
      fashion: FashionMNISTTaskSet.Options = .init(), denseImageNormalization: ImageNormalization = .symmetric
    ) {
      self.name = name
      self.split = split
      self.dataDirectory = dataDirectory
      self.seed = seed
      self.limit = limit
      self.fashion = fashion
      self.denseImageNormalization = denseImageNormalization
    }
  }

  /// Loads a dataset by name.
  public static func load(_ request: DatasetRequest, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LoadedDataset {
    func limited(_ d: any MultiTaskDataset) -> any MultiTaskDataset {
      guard let n = request.limit, n < d.count else { return d }
      return SubsetDataset(d, first: n)
    }
    switch request.name {
    case "fashion":
      let files = try FashionMNISTFiles.load(dataDirectory: request.dataDirectory, environment: environment)
      var options = request.fashion
      options.seed = request.seed
      return .single(try FashionMNISTTaskSet(
        files: files, split: FashionMNISTSplit(request.split, seed: request.seed, limit: request.limit), options: options))
    case "multi-fashion":
      let files = try FashionMNISTFiles.load(dataDirectory: request.dataDirectory, environment: environment)
      return .single(MultiFashionDataset(
        files: files, split: FashionMNISTSplit(request.split, seed: request.seed, limit: request.limit), seed: request.seed))
    case "nyuv2":
      let root = try paperRoot("nyuv2", marker: "train", request, environment)
      return .single(limited(try NYUv2Dataset(root: root, split: request.split, imageNormalization: request.denseImageNormalization)))
    case "cityscapes":
      let root = try paperRoot("cityscapes", marker: "train", request, environment)
      return .single(limited(try CityscapesDataset(root: root, split: request.split, imageNormalization: request.denseImageNormalization)))
    case "multi-cifar100":
      // MultiDomainCIFAR100.file(root:split:) accepts <data>/cifar-100-binary/ or the directory itself.
      let root = try paperRoot("cifar-100-binary", marker: "train.bin", request, environment)
      return .multiInput(try MultiDomainCIFAR100.load(root: root, split: request.split).map(limited))
    default:
      throw DatasetError("unknown dataset '\(request.name)' (known: \(names.joined(separator: ", ")))")
    }
  }

  /// The training augmentation the papers use for a dataset (nil for Fashion-MNIST task sets,
  /// which train without augmentation).
  public static func trainingAugmentation(for loaded: LoadedDataset) -> Augmentation? {
    guard let first = loaded.datasets.first else { return nil }
    switch (first as? SubsetDataset)?.base ?? first {
    case is NYUv2Dataset: return .mtanNYUv2
    case is CityscapesDataset: return .autoLambdaCityscapes
    case let d as CIFAR100DomainDataset: return .cifar(imagePadding: d.blackPadding)
    default: return nil
    }
  }

  /// The directory of a paper dataset: `<data>/<sub>` when it holds `marker`, else `<data>`.
  static func paperRoot(_ sub: String, marker: String, _ request: DatasetRequest, _ environment: [String: String]) throws -> URL {
    guard let base = request.dataDirectory ?? environment["AUXMTL_DATA_DIR"].flatMap({ $0.isEmpty ? nil : URL(fileURLWithPath: $0) }) else {
      throw DatasetError("dataset '\(request.name)' is not distributed with auxmtl: download it yourself (layouts in docs/data.md), then pass its directory with `--set dataset.path=<directory>` (or `dataset.path` in the config) or set AUXMTL_DATA_DIR")
    }
    let nested = base.appendingPathComponent(sub)
    if FileManager.default.fileExists(atPath: nested.appendingPathComponent(marker).path) { return nested }
    return base
  }
}
