import AuxEngine
import AuxNN
import AuxTestSupport
import Testing

@Suite("Losses facade")
struct LossesTests {
  @Test("the MTAN/LibMTL normal loss matches PyTorch, with either mask shape")
  func normalLoss() throws {
    let f = try Fixtures.load("ops_cosine")
    let pred = try f.tensor("normal_loss.pred").requiringGrad()
    let gt = try f.tensor("normal_loss.gt")
    let mask = try f.tensor("normal_loss.mask")  // [N, H, W]
    let loss = Losses.cosineDistance(pred.normalized(axis: 1), gt, axis: 1, mask: mask)
    #expect(Closeness.mismatch(loss, try f.tensor("normal_loss.out")) == nil)
    loss.backward()
    #expect(Closeness.mismatch(pred.grad!, try f.tensor("normal_loss.grad.pred")) == nil)
    let keptAxis = Losses.cosineDistance(pred.normalized(axis: 1), gt, axis: 1, mask: mask.unsqueezed(at: 1))
    #expect(keptAxis.item == loss.item)
  }

  @Test("no valid pixel: 0, zero gradient")
  func allInvalid() {
    let pred = Tensor(shape: [1, 3, 2, 2], repeating: 0.5).requiringGrad()
    let gt = Tensor(shape: [1, 3, 2, 2], repeating: 0.2)
    let loss = Losses.cosineDistance(pred, gt, mask: Tensor.zeros([1, 2, 2]))
    #expect(loss.item == 0)
    loss.backward()
    #expect(pred.grad!.scalars.allSatisfy { $0 == 0 })
    let depth = Losses.l1(pred, gt, mask: Tensor.zeros([1, 1, 2, 2]))
    #expect(depth.item == 0)
  }

  @Test("the facade forwards every argument")
  func forwarding() {
    let logits = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0 % 5) * 0.3 })
    let target = Tensor([1, 255, 3])
    let w = Tensor([1, 2, 3, 4])
    #expect(Losses.crossEntropy(logits, target, weight: w, ignoreIndex: 255, reduction: .sum).item
      == logits.crossEntropy(target: target, weight: w, ignoreIndex: 255, reduction: .sum).item)
    let probs = logits.softmax(axis: 1)
    #expect(Losses.crossEntropy(logits, softTarget: probs, weight: w).item == logits.crossEntropy(softTarget: probs, weight: w).item)
    let y = Tensor(shape: [3, 4], repeating: 1)
    #expect(Losses.binaryCrossEntropyWithLogits(logits, y, posWeight: Tensor([2]), reduction: .sum).item
      == logits.binaryCrossEntropyWithLogits(target: y, posWeight: Tensor([2]), reduction: .sum).item)
    #expect(Losses.mse(logits, y, reduction: .none).scalars == logits.mseLoss(y, reduction: .none).scalars)
    #expect(Losses.cosineSimilarity(logits, y, axis: 0).scalars == logits.cosineSimilarity(y, axis: 0).scalars)
    #expect(Losses.maskedMean(logits, mask: Tensor([1, 0, 0, 1])).item == logits.maskedMean(Tensor([1, 0, 0, 1])).item)
  }
}
