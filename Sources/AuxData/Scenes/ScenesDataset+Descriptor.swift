import Foundation

extension ScenesDataset {
  /// The generated `scenes` benchmark: `limit` scenes of `imageSize`² pixels per split (a request
  /// without a limit gives an empty split, and no validation split).
  public static let descriptor = DatasetDescriptor(
    name: "scenes", summary: "generated rooms: semantic (7 classes), depth, normal, edge (docs/scenes.md)",
    options: descriptorOptions
  ) { request, _ in
    let split: Split
    switch request.split {
    case .train: split = .train
    case .validation:
      guard request.limit != nil else { throw DatasetError("scenes: no validation split without a number of samples", missingSplit: .validation) }
      split = .validation
    case .test: split = .test
    }
    let count = request.limit ?? 0
    let key = "dataset.\(request.split == .validation ? "validation" : request.split.rawValue)_samples"
    for (option, value) in [("dataset.size", request.imageSize), (key, count)] {
      if let message = descriptorOptions.first(where: { $0.key == option })?.rangeViolation(value, entry: "scenes") { throw DatasetError(message) }
    }
    let config = ScenesConfig(height: request.imageSize, width: request.imageSize, seed: request.seed)
    return .single(try ScenesDataset(config: config, split: split, count: count, cacheDirectory: request.cacheDirectory))
  }

  /// The `dataset.*` keys `scenes` reads, with the ranges ``ScenesConfig`` and the split numbering
  /// allow.
  static let descriptorOptions = [
    RegistryOption("dataset.size", "image side", range: 32...256),
    RegistryOption("dataset.train_samples", "scenes generated", range: 0...(1 << 40), rangeText: "0…2^40 (1099511627776)", rangeReason: "the most scenes a split numbers"),
    RegistryOption("dataset.validation_samples", "scenes generated (0: no validation split)", range: 0...(1 << 40), rangeText: "0…2^40 (1099511627776)", rangeReason: "the most scenes a split numbers"),
    RegistryOption("dataset.test_samples", "scenes generated", range: 0...(1 << 40), rangeText: "0…2^40 (1099511627776)", rangeReason: "the most scenes a split numbers"),
    RegistryOption("dataset.cache", "folder caching the rendered scenes as NPY"),
  ]
}
