import AuxData
import AuxEngine
import Foundation

/// The datasets of a run: training, validation (model selection) and test splits, by config.
///
/// Every name loads through a ``AuxData/DatasetRegistry`` (`scenes` is generated, with the sizes
/// from the config). Multi-input datasets (`multi-cifar100`) give one dataset per task.
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

  /// Loads or generates the data a config asks for, through `datasets`.
  ///
  /// A dataset without a validation split (``AuxData/DatasetError/missingSplit``) gives a run
  /// without one. Integer `dataset.*` values outside a range the dataset's descriptor declares
  /// throw a ``TrainingError`` naming the key before anything is loaded.
  public static func load(_ config: TrainConfig.DatasetConfig, seed: UInt64, datasets: DatasetRegistry = .standard) throws -> TrainingData {
    guard let descriptor = datasets.entry(named: config.name) else {
      throw TrainingError(datasets.unknownName(config.name))
    }
    let values = [
      "dataset.size": config.size, "dataset.train_samples": config.trainSamples,
      "dataset.validation_samples": config.validationSamples, "dataset.test_samples": config.testSamples,
    ]
    for option in descriptor.options {
      if let value = values[option.key], let message = option.rangeViolation(value, entry: descriptor.name) { throw TrainingError(message) }
    }
    func request(_ split: DataSplit, _ limit: Int) -> DatasetRequest {
      DatasetRequest(
        name: config.name, split: split, dataDirectory: config.path.map { URL(fileURLWithPath: $0) }, seed: seed,
        limit: limit > 0 ? limit : nil, imageSize: config.size, cacheDirectory: config.cache.map { URL(fileURLWithPath: $0) })
    }
    let environment = ProcessInfo.processInfo.environment
    let train = try descriptor.load(request(.train, config.trainSamples), environment)
    var validation: LoadedDataset? = nil
    do {
      validation = try descriptor.load(request(.validation, config.validationSamples), environment)
    } catch let e as DatasetError where e.missingSplit == .validation {
      validation = nil
    }
    let test = try descriptor.load(request(.test, config.testSamples), environment)
    return TrainingData(
      train: train, validation: validation, test: test, augmentation: config.augment ? descriptor.augmentation(train) : nil)
  }
}
