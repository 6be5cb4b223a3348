import AuxData

extension TrainingData {
  /// The same data with the primary tasks' training labels kept on a fraction of the images only
  /// (`tasks.primary_label_fraction`): the label-scarce regime, where auxiliary labels are cheap
  /// and primary labels are not. Validation and test labels stay complete.
  ///
  /// - A run that trains auxiliary tasks keeps every training image: the unlabelled ones carry
  ///   their auxiliary labels only (``AuxData/ScarceLabelDataset``), and the loader spreads the
  ///   labelled ones evenly over each epoch so a batch rarely lacks a primary label.
  /// - A run without auxiliary tasks (the single-task baseline) trains on the labelled images only:
  ///   the others would carry nothing for it.
  ///
  /// The labelled images are fixed by the seed, so every method of a seed sees the same ones.
  ///
  /// - Parameters:
  ///   - fraction: nil or 1 returns the data unchanged.
  ///   - tasks: the primary task names.
  ///   - trainsAuxiliaries: whether the run trains tasks besides `tasks`.
  /// - Throws: ``AuxData/DatasetError`` for multi-input data, an unknown task or a soft-label task.
  public func withScarcePrimaryLabels(fraction: Double?, tasks: [String], trainsAuxiliaries: Bool, seed: UInt64) throws -> TrainingData {
    guard let fraction, fraction < 1 else { return self }
    guard case .single(let d) = train else {
      throw DatasetError("tasks.primary_label_fraction: multi-input datasets (one dataset per task) have no images shared between tasks; scarce primary labels need a dataset whose images carry every task")
    }
    let scarce = try ScarceLabelDataset(d, tasks: tasks, fraction: fraction, seed: seed)
    if trainsAuxiliaries {
      var out = TrainingData(train: .single(scarce), validation: validation, test: test, augmentation: augmentation)
      out.spreadIndices = scarce.labelledIndices
      out.notes = notes + ["label-scarce: \(tasks.joined(separator: ", ")) labelled on \(scarce.labelledIndices.count) of \(d.count) training images; the others carry auxiliary labels only"]
      return out
    }
    var out = TrainingData(
      train: .single(SubsetDataset(d, indices: scarce.labelledIndices)), validation: validation, test: test, augmentation: augmentation)
    out.notes = notes + ["label-scarce: training on the \(scarce.labelledIndices.count) of \(d.count) images labelled for \(tasks.joined(separator: ", ")) (no auxiliary task uses the others)"]
    return out
  }
}
