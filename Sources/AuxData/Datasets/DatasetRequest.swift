import Foundation

/// What to load from a ``DatasetRegistry``: a dataset's name, the split and the settings a
/// configuration's `dataset` section gives.
public struct DatasetRequest: Sendable {
  public var name: String
  /// Which split to load.
  public var split: DataSplit
  /// Where the data is (the config's `dataset.path`); nil: the environment and defaults.
  public var dataDirectory: URL?
  /// Seed of dataset-level randomness (Fashion-MNIST validation split, rotations, noise, pairs,
  /// generated scenes).
  public var seed: UInt64
  /// Keep only the first `limit` samples (of every dataset, for multi-input). A generated dataset
  /// (`scenes`) generates exactly `limit` samples: none without a limit, and no validation split.
  public var limit: Int?
  /// Image side of generated datasets (`dataset.size`).
  public var imageSize: Int
  /// Folder caching generated samples (`dataset.cache`; nil: none).
  public var cacheDirectory: URL?
  /// Options of the `fashion` task set (its seed is replaced by ``seed``).
  public var fashion: FashionMNISTTaskSet.Options
  /// Image normalisation of `nyuv2` and `cityscapes` (Auto-Lambda's `2x − 1` by default).
  public var denseImageNormalization: ImageNormalization

  public init(
    name: String, split: DataSplit, dataDirectory: URL? = nil, seed: UInt64 = 0, limit: Int? = nil, imageSize: Int = 64,
    cacheDirectory: URL? = nil, fashion: FashionMNISTTaskSet.Options = .init(),
    denseImageNormalization: ImageNormalization = .symmetric
  ) {
    self.name = name
    self.split = split
    self.dataDirectory = dataDirectory
    self.seed = seed
    self.limit = limit
    self.imageSize = imageSize
    self.cacheDirectory = cacheDirectory
    self.fashion = fashion
    self.denseImageNormalization = denseImageNormalization
  }

  /// The dataset limited to its first ``limit`` samples (itself without a limit or when it is
  /// smaller).
  public func limited(_ d: any MultiTaskDataset) -> any MultiTaskDataset {
    guard let n = limit, n < d.count else { return d }
    return SubsetDataset(d, first: n)
  }

  /// The directory of a dataset users bring: `<data>/<sub>` when it holds `marker`, else `<data>`,
  /// where `<data>` is ``dataDirectory`` or `$AUXMTL_DATA_DIR`.
  ///
  /// - Throws: ``DatasetError`` saying how to get the dataset when neither is set.
  public func dataRoot(_ sub: String, marker: String, environment: [String: String]) throws -> URL {
    guard let base = dataDirectory ?? environment["AUXMTL_DATA_DIR"].flatMap({ $0.isEmpty ? nil : URL(fileURLWithPath: $0) }) else {
      throw DatasetError("dataset '\(name)' is not distributed with auxmtl: download it yourself (layouts in docs/data.md), then pass its directory with `--set dataset.path=<directory>` (or `dataset.path` in the config) or set AUXMTL_DATA_DIR")
    }
    let nested = base.appendingPathComponent(sub)
    if FileManager.default.fileExists(atPath: nested.appendingPathComponent(marker).path) { return nested }
    return base
  }
}
