import AuxEngine
import Foundation
import Testing

/// Shape and argument errors stop the program with a message naming the op and the shapes; these
/// exit tests run each mistake in a child process and read its standard error.
@Suite("Shape errors name the op and the shapes")
struct ShapeErrorTests {
  @Test("cross-entropy: a target with a channel axis, an out-of-range class")
  func crossEntropy() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3, 4, 4]).crossEntropy(target: Tensor.zeros([2, 1, 4, 4]))
    }.map { String(decoding: $0.standardErrorContent, as: UTF8.self) }.map { text in
      #expect(text.contains("crossEntropy: target shape [2, 1, 4, 4] does not fit logits shape [2, 3, 4, 4]"), "\(text)")
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).crossEntropy(target: Tensor([1, 3]))
    }.map { String(decoding: $0.standardErrorContent, as: UTF8.self) }.map { text in
      #expect(text.contains("target value 3.0 at element 1 is neither a class index in 0..<3 nor ignoreIndex -100"), "\(text)")
    }
  }

  @Test("concat, slice, cosine similarity, masks, max")
  func others() async {
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.concat([Tensor.zeros([2, 3]), Tensor.zeros([3, 3])], axis: 1)
    }.map { String(decoding: $0.standardErrorContent, as: UTF8.self) }.map { text in
      #expect(text.contains("concat: tensor 1 has shape [3, 3], which differs from tensor 0's shape [2, 3] outside axis 1"), "\(text)")
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 5]).sliced(axis: 1, range: 3..<7)
    }.map { String(decoding: $0.standardErrorContent, as: UTF8.self) }.map { text in
      #expect(text.contains("slice: range 3..<7 is out of bounds for axis 1 of size 5 (shape [2, 5])"), "\(text)")
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).cosineSimilarity(Tensor.zeros([3, 2]))
    }.map { String(decoding: $0.standardErrorContent, as: UTF8.self) }.map { text in
      #expect(text.contains("cosineSimilarity: shapes [2, 3] and [3, 2] differ"), "\(text)")
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3, 4]).l1Loss(Tensor.zeros([2, 3, 4]), mask: Tensor.zeros([3, 1, 4]))
    }.map { String(decoding: $0.standardErrorContent, as: UTF8.self) }.map { text in
      #expect(text.contains("l1Loss: mask of shape [3, 1, 4] does not broadcast to the input shape [2, 3, 4]"), "\(text)")
    }
    await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).max(axis: 2)
    }.map { String(decoding: $0.standardErrorContent, as: UTF8.self) }.map { text in
      #expect(text.contains("max: axis 2 is out of range for a tensor of rank 2"), "\(text)")
    }
  }
}
