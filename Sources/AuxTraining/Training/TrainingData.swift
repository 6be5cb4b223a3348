import AuxData
import AuxEngine
import Foundation

/// The datasets of a run: training, validation (model selection) and test splits, by config.
///
/// `scenes` is generated (sizes from the config); the other names load through
/// ``AuxData/DatasetCatalog``. Multi-input datasets (`multi-cifar100`) give one dataset per task.
public struct TrainingData: Sendable {
  public let train: LoadedDataset
  /// Nil when the dataset has no validation split (NYUv2, Cityscapes as the papers use them): the
  /// run then selects its last epoch.
  public let validation: LoadedDataset?
  public let test: LoadedDataset
  /// Augmentation for the training split (nil: none).
  public let augmentation: Augmentation?
  /// Training indices the loader spreads evenly over each epoch (the samples that keep a scarce
  /// primary label, see ``withScarcePrimaryLabels(fraction:tasks:trainsAuxiliaries:seed:)``).
  public var spreadIndices: [Int] = []
  /// Lines the trainer logs when a run starts (what was done to the data).
  public var notes: [String] = []

  /// Every task of the dataset, in order.
  public var tasks: [TaskLabelSpec] { train.tasks }
  /// Whether each step draws one batch per task.
  public var isMultiInput: Bool {
    if case .multiInput = train { return true }
    return false
  }

  /// Loads or generates the data a config asks for.
  public static func load(_ config: TrainConfig.DatasetConfig, seed: UInt64) throws -> TrainingData {
    let dataDirectory = config.path.map { URL(fileURLWithPath: $0) }
    if config.name == "scenes" {
      guard (32...256).contains(config.size) else {
        throw TrainingError("dataset.size must be within 32…256 for scenes, got \(config.size)")
      }
      for (key, n) in [("train_samples", config.trainSamples), ("validation_samples", config.validationSamples), ("test_samples", config.testSamples)]
      where !(0...(1 << 40)).contains(n) {
        throw TrainingError("dataset.\(key) must be within 0…2^40 (1099511627776) for scenes, the most scenes a split numbers; got \(n)")
      }
      let scenes = ScenesConfig(height: config.size, width: config.size, seed: seed)
      let cache = config.cache.map { URL(fileURLWithPath: $0) }
      func split(_ s: ScenesDataset.Split, _ n: Int) throws -> LoadedDataset {
        .single(try ScenesDataset(config: scenes, split: s, count: n, cacheDirectory: cache))
      }
      return TrainingData(
        train: try split(.train, config.trainSamples),
        validation: config.validationSamples > 0 ? try split(.validation, config.validationSamples) : nil,
        test: try split(.test, config.testSamples), augmentation: nil)
    }
    func request(_ split: DataSplit, _ limit: Int) -> DatasetCatalog.DatasetRequest {
      DatasetCatalog.DatasetRequest(name: config.name, split: split, dataDirectory: dataDirectory, seed: seed, limit: limit > 0 ? limit : nil)
    }
    let train = try DatasetCatalog.load(request(.train, config.trainSamples))
    var validation: LoadedDataset? = nil
    do {
      validation = try DatasetCatalog.load(request(.validation, config.validationSamples))
    } catch let e as DatasetError where e.message.contains("validation") {
      validation = nil
    }
    let test = try DatasetCatalog.load(request(.test, config.testSamples))
    return TrainingData(
      train: train, validation: validation, test: test,
      augmentation: config.augment ? DatasetCatalog.trainingAugmentation(for: train) : nil)
  }
}
