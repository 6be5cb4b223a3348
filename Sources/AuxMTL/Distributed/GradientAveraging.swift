import AuxEngine
import AuxNN

/// Averages parameter gradients over the ranks of a data-parallel run: one all-reduce of every
/// gradient (and one presence flag per parameter) packed into a single buffer.
///
/// A parameter whose gradient is nil on every rank stays nil (an optimiser skips it, as one
/// process would); one that has a gradient on some ranks only counts zeros for the others.
enum GradientAveraging {
  /// Replaces each parameter's gradient with the element-wise mean over the ranks of
  /// `communicator`.
  ///
  /// - Throws: ``CommunicatorError`` when the all-reduce fails.
  static func average(_ parameters: [Parameter], over communicator: any Communicator) throws {
    let params = parameters.filter(\.requiresGrad)
    guard communicator.size > 1, !params.isEmpty else { return }
    let total = params.reduce(0) { $0 + $1.value.count }
    var buffer = [Float](repeating: 0, count: total + params.count)
    buffer.withUnsafeMutableBufferPointer { b in
      var offset = 0
      for (k, p) in params.enumerated() {
        let n = p.value.count
        if let g = p.grad {
          g.withUnsafeBufferPointer { src in (b.baseAddress! + offset).update(from: src.baseAddress!, count: n) }
          b[total + k] = 1
        }
        offset += n
      }
    }
    try communicator.allReduceSum(&buffer)
    let inverse = 1 / Float(communicator.size)
    buffer.withUnsafeBufferPointer { b in
      var offset = 0
      for (k, p) in params.enumerated() {
        let n = p.value.count
        if b[total + k] > 0 {
          var g = Tensor.uninitialized(p.shape)
          g.withUnsafeMutableBufferPointer { dst in
            for i in 0..<n { dst[i] = b[offset + i] * inverse }
          }
          p.grad = g
        }
        offset += n
      }
    }
  }
}
