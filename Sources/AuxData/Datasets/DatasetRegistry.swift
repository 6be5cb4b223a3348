import Foundation

/// The datasets `dataset.name` accepts.
///
/// | name | source | kind |
/// | --- | --- | --- |
/// | `scenes` | generated rooms (``ScenesDataset``) | single |
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
public typealias DatasetRegistry = Registry<DatasetDescriptor>

extension Registry where Entry == DatasetDescriptor {
  /// The datasets auxmtl ships loaders for.
  public static var standard: DatasetRegistry {
    DatasetRegistry(key: "dataset.name", [
      ScenesDataset.descriptor,
      FashionMNISTTaskSet.descriptor,
      MultiFashionDataset.descriptor,
      NYUv2Dataset.descriptor,
      CityscapesDataset.descriptor,
      MultiDomainCIFAR100.descriptor,
    ])
  }

  /// Loads the split `request` names.
  ///
  /// - Throws: ``DatasetError`` for an unknown name (listing the registered ones), a dataset that
  ///   is not where the request says, or a split it does not have (``DatasetError/missingSplit``).
  public func load(_ request: DatasetRequest, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LoadedDataset {
    guard let d = entry(named: request.name) else {
      throw DatasetError("unknown dataset '\(request.name)' (known: \(names.joined(separator: ", ")))")
    }
    return try d.load(request, environment)
  }

  /// The training augmentation the papers use for `loaded`, a training split of the dataset
  /// `name` (nil: none, also for an unknown name).
  public func trainingAugmentation(for loaded: LoadedDataset, dataset name: String) -> Augmentation? {
    entry(named: name)?.augmentation(loaded)
  }
}
