import AuxEngine

extension Batch {
  /// Stacks samples along a new first dimension (PyTorch's default `collate`).
  ///
  /// Every sample must carry the same label and mask names with the same shapes; otherwise the
  /// error names the dataset index and the shapes that differ.
  ///
  /// - Parameters:
  ///   - samples: the samples, in batch order.
  ///   - indices: their dataset indices (recorded in ``Batch/indices`` and used in errors).
  public static func stack(_ samples: [Sample], indices: [Int]) throws -> Batch {
    precondition(!samples.isEmpty, "Batch.stack: no samples")
    precondition(samples.count == indices.count, "Batch.stack: \(samples.count) samples but \(indices.count) indices")
    let first = samples[0]
    func stackTensors(_ what: String, _ get: (Sample) -> Tensor?) throws -> Tensor {
      let shape = get(first)!.shape
      let per = get(first)!.count
      var out = Tensor.uninitialized([samples.count] + shape)
      try out.withUnsafeMutableBufferPointer { dst in
        for (k, s) in samples.enumerated() {
          guard let t = get(s) else {
            throw DatasetError("sample \(indices[k]) has no \(what), but sample \(indices[0]) has one")
          }
          guard t.shape == shape else {
            throw DatasetError("\(what) of sample \(indices[k]) has shape \(t.shape), but sample \(indices[0]) has \(shape); samples of a batch must agree")
          }
          t.withUnsafeBufferPointer { src in
            (dst.baseAddress! + k * per).update(from: src.baseAddress!, count: per)
          }
        }
      }
      return out
    }
    let images = try stackTensors("image") { $0.image }
    var labels: [String: Tensor] = [:]
    for name in first.labels.keys.sorted() {
      labels[name] = try stackTensors("label '\(name)'") { $0.labels[name] }
    }
    var masks: [String: Tensor] = [:]
    for name in first.masks.keys.sorted() {
      masks[name] = try stackTensors("mask '\(name)'") { $0.masks[name] }
    }
    for (k, s) in samples.enumerated() where Set(s.labels.keys) != Set(first.labels.keys) || Set(s.masks.keys) != Set(first.masks.keys) {
      throw DatasetError("sample \(indices[k]) has labels \(s.labels.keys.sorted()) and masks \(s.masks.keys.sorted()), but sample \(indices[0]) has \(first.labels.keys.sorted()) and \(first.masks.keys.sorted())")
    }
    return Batch(images: images, labels: labels, masks: masks, indices: indices)
  }
}
