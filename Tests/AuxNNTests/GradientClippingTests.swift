import AuxEngine
import AuxIO
import AuxNN
import AuxTestSupport
import Foundation
import Testing

@Suite("Gradient clipping vs torch.nn.utils.clip_grad_norm_")
struct GradientClippingTests {
  @Test("total norm and clipped gradients match PyTorch", arguments: ["l2_clipped", "l2_unclipped", "l1", "linf", "l3"])
  func matchesPyTorch(name: String) throws {
    let archive = try Fixtures.load("optim_clip")
    let cases = try JSONSerialization.jsonObject(with: Data(archive.metadata["cases"]!.utf8)) as! [String: [String: Any]]
    let c = try #require(cases[name])
    let normType: Float = (c["norm_type"] as? String) == "inf" ? .infinity : Float(c["norm_type"] as! Double)
    let a = Parameter(Tensor.zeros(try archive.tensor("grad/a").shape))
    let noGrad = Parameter(Tensor.zeros([2]))
    let cc = Parameter(Tensor.zeros(try archive.tensor("grad/c").shape))
    a.grad = try archive.tensor("grad/a")
    cc.grad = try archive.tensor("grad/c")
    let total = clipGradientNorm([a, noGrad, cc], maxNorm: Float(c["max_norm"] as! Double), normType: normType)
    let expectedTotal = try archive.tensor("\(name)/total_norm").item
    #expect(abs(total - expectedTotal) <= 1e-5 * abs(expectedTotal), "\(name): total norm \(total) vs \(expectedTotal)")
    for (p, key) in [(a, "a"), (cc, "c")] {
      let m = Closeness.mismatch(p.grad!, try archive.tensor("\(name)/\(key)"), rtol: 1e-5, atol: 1e-7)
      #expect(m == nil, "\(name) gradient \(key): \(m ?? "")")
    }
    #expect(noGrad.grad == nil)
  }

  @Test("clipping does not change tensors that share the gradient's storage; no gradients gives norm 0")
  func sharingAndEmpty() {
    let p = Parameter(Tensor([0, 0]))
    let g = Tensor([3, 4])
    p.grad = g
    let total = clipGradientNorm([p], maxNorm: 1)
    #expect(total == 5)
    #expect(g.scalars == [3, 4])
    #expect(Closeness.isClose(p.grad!, Tensor([0.6, 0.8]), rtol: 1e-5, atol: 1e-6))
    #expect(clipGradientNorm([Parameter(Tensor([1]))], maxNorm: 1) == 0)
    let nanParam = Parameter(Tensor([1, 1]))
    nanParam.grad = Tensor([.nan, 1])
    #expect(gradientNorm([nanParam], normType: .infinity).isNaN)
    #expect(clipGradientNorm([nanParam], maxNorm: 1).isNaN)
  }
}
