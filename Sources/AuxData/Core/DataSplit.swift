/// Which part of a dataset to use.
///
/// Datasets with an official test set but no validation set (Fashion-MNIST) carve the validation
/// set from the training set by a seed; layouts that ship only `train/` and `val/` (NYUv2,
/// Cityscapes, as the papers use them) map `test` to `val/` and have no `validation` split.
public enum DataSplit: String, Sendable, CaseIterable, CustomStringConvertible {
  case train, validation, test

  public var description: String { rawValue }
}
