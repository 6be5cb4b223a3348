import AuxData

extension TrainingData {
  /// The same data with label noise on the training split only (validation and test labels stay
  /// clean, so the metrics measure the truth).
  ///
  /// - Parameters:
  ///   - noise: `tasks.noise` entries, by task name.
  ///   - seed: the run's seed (the noise of each sample is fixed by it, the task and the index).
  /// - Throws: ``AuxData/DatasetError`` for unparsable noise, a task no training dataset has, or a
  ///   kind of noise that does not fit the task's labels.
  public func withLabelNoise(_ noise: [String: String], seed: UInt64) throws -> TrainingData {
    guard !noise.isEmpty else { return self }
    var parsed: [String: LabelNoise] = [:]
    for (task, text) in noise { parsed[task] = try LabelNoise(parsing: text) }
    func wrap(_ d: any MultiTaskDataset) throws -> any MultiTaskDataset {
      let here = parsed.filter { entry in d.tasks.contains { $0.name == entry.key } }
      return here.isEmpty ? d : try NoisyLabelDataset(d, noise: here, seed: seed)
    }
    let names = Set(train.tasks.map(\.name))
    if let unknown = parsed.keys.sorted().first(where: { !names.contains($0) }) {
      throw DatasetError("tasks.noise: the training data has no task '\(unknown)' (it has \(train.tasks.map(\.name).joined(separator: ", ")))")
    }
    let noisy: LoadedDataset
    switch train {
    case .single(let d): noisy = .single(try wrap(d))
    case .multiInput(let ds): noisy = .multiInput(try ds.map(wrap))
    }
    return TrainingData(train: noisy, validation: validation, test: test, augmentation: augmentation)
  }
}
