/// A dataset a configuration names (`dataset.name`): how to load a split of it, which `dataset.*`
/// keys it reads and which training augmentation the papers use with it.
///
/// Adding a dataset is one file (the ``MultiTaskDataset`` and its descriptor) and one line in
/// ``DatasetRegistry/standard``; the DocC article "Adding a dataset" walks through it.
public struct DatasetDescriptor: RegistryEntry {
  public let name: String
  public let summary: String
  public let options: [RegistryOption]
  /// Loads one split. Throws ``DatasetError`` with ``DatasetError/missingSplit`` set for a split
  /// the dataset does not have (the run then has no validation split).
  public let load: @Sendable (_ request: DatasetRequest, _ environment: [String: String]) throws -> LoadedDataset
  /// The training augmentation of the loaded training split (nil: none).
  public let augmentation: @Sendable (LoadedDataset) -> Augmentation?

  public init(
    name: String, summary: String, options: [RegistryOption] = [],
    augmentation: @escaping @Sendable (LoadedDataset) -> Augmentation? = { _ in nil },
    load: @escaping @Sendable (_ request: DatasetRequest, _ environment: [String: String]) throws -> LoadedDataset
  ) {
    self.name = name
    self.summary = summary
    self.options = options
    self.augmentation = augmentation
    self.load = load
  }
}
