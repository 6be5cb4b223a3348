import AuxEngine

extension Dictionary where Key == String, Value == Tensor {
  /// The tensor under `key`, checked to hold `count` values when given.
  ///
  /// - Throws: ``MTLStepError`` naming the key, what was expected and what was found.
  func required(_ key: String, count: Int? = nil) throws -> Tensor {
    guard let t = self[key] else {
      throw MTLStepError("method state: missing '\(key)' (found keys: \(keys.sorted().joined(separator: ", ")))")
    }
    if let count, t.count != count {
      throw MTLStepError("method state: '\(key)' has \(t.count) values (shape \(t.shape)), expected \(count)")
    }
    return t
  }
}
