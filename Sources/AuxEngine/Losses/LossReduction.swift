/// How a loss reduces its per-element values (PyTorch's `reduction` argument).
public enum LossReduction: String, Sendable, CaseIterable {
  /// The (weighted, or masked) mean; a scalar. Each loss documents its denominator.
  case mean
  /// The sum; a scalar.
  case sum
  /// No reduction: one value per element (per sample/pixel for cross-entropy).
  case none
}
