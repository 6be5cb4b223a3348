import AuxEngine

/// Which Fashion-MNIST images a split uses: fixed by a seed.
///
/// `test` is the official 10 000-image test set. `validation` is `validationFraction` of the
/// 60 000 training images chosen by a seeded permutation, `train` the rest; the two never overlap
/// and do not change unless the seed or fraction does. `limit` keeps the first `limit` images of
/// the split (in file order), for quick experiments and tests.
public struct FashionMNISTSplit: Sendable, Equatable {
  /// Which split.
  public var split: DataSplit
  /// Seed of the train/validation permutation.
  public var seed: UInt64
  /// Fraction of the training files used for validation.
  public var validationFraction: Double
  /// Keep only the first `limit` images of the split (nil: all).
  public var limit: Int?

  public init(_ split: DataSplit, seed: UInt64 = 0, validationFraction: Double = 0.1, limit: Int? = nil) {
    precondition(validationFraction >= 0 && validationFraction < 1, "FashionMNISTSplit: validationFraction must be in [0, 1), got \(validationFraction)")
    precondition(limit.map { $0 >= 0 } ?? true, "FashionMNISTSplit: limit must not be negative")
    self.split = split
    self.seed = seed
    self.validationFraction = validationFraction
    self.limit = limit
  }

  /// Whether the split reads the test files (else the training files).
  public var usesTestFiles: Bool { split == .test }

  /// Indices into the training or test files (see ``usesTestFiles``), ascending.
  public func indices(trainCount: Int, testCount: Int) -> [Int] {
    var result: [Int]
    switch split {
    case .test:
      result = Array(0..<testCount)
    case .train, .validation:
      var perm = Array(0..<trainCount)
      var rng = SeedMixing.generator(seed, SeedMixing.code("fashion-mnist-validation"))
      rng.shuffle(&perm)
      let nVal = Int((Double(trainCount) * validationFraction).rounded())
      result = (split == .validation ? Array(perm[..<nVal]) : Array(perm[nVal...])).sorted()
    }
    if let limit, limit < result.count { result = Array(result[..<limit]) }
    return result
  }
}
