import AuxEngine
import AuxTestSupport
import Testing

@Suite("Autograd")
struct AutogradTests {
  @Test("backward accumulates into leaves")
  func backwardAccumulates() {
    let w = Tensor([1, 2, 3]).requiringGrad()
    let x = Tensor([4, 5, 6])
    (w * x).sum().backward()
    #expect(w.grad?.scalars == [4, 5, 6])
    (w * x).sum().backward()
    #expect(w.grad?.scalars == [8, 10, 12])
    w.grad = nil
    #expect(w.grad == nil)
  }

  @Test("gradients with respect to an interior tensor")
  func interiorGradient() {
    let w = Tensor([1, -2, 3]).requiringGrad()
    let z = w * 2  // interior
    let loss = (z * z).sum()  // dL/dz = 2z
    let g = Autograd.gradients(of: [loss], wrt: [z, w])
    #expect(g[0]?.scalars == [4, -8, 12])
    #expect(g[1]?.scalars == [8, -16, 24])
    #expect(w.grad == nil, "gradients(of:wrt:) must not touch leaf gradients")
  }

  @Test("backward with a supplied upstream gradient, restricted to some leaves")
  func seededRestrictedBackward() {
    let a = Tensor([1, 2]).requiringGrad()
    let b = Tensor([3, 4]).requiringGrad()
    let z = a * b
    z.backward(Tensor([10, 100]), inputs: [a])
    #expect(a.grad?.scalars == [30, 400])
    #expect(b.grad == nil)
  }

  @Test("retained graphs can be differentiated twice; freed graphs cannot")
  func retainGraph() {
    let a = Tensor([2]).requiringGrad()
    let y = (a * a).sum()
    y.backward(retainGraph: true)
    y.backward()
    #expect(a.grad?.scalars == [8])
  }

  @Test("no-grad mode records nothing; detach cuts the graph")
  func noGradAndDetach() {
    let a = Tensor([2]).requiringGrad()
    let y = Autograd.withoutGradients { a * 3 }
    #expect(!y.requiresGrad)
    let z = (a.detached() * 3)
    #expect(!z.requiresGrad)
    let alias = (a * 3).detached().requiringGrad()
    #expect(alias.isLeaf)
  }

  @Test("a node used twice gets the sum of both paths")
  func diamond() {
    let x = Tensor([3]).requiringGrad()
    let y = x * x + x.exp() * 2
    y.sum().backward()
    let expected: Float = 2 * 3 + 2 * Float(20.085536923187668)
    #expect(Swift.abs(x.grad!.item - expected) < 1e-3)
  }

  @Test("broadcast gradients reduce to the input shape")
  func broadcastGradient() {
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).requiringGrad()
    let b = Tensor(shape: [3], scalars: [1, 1, 1]).requiringGrad()
    (a * b).sum().backward()
    #expect(b.grad?.scalars == [5, 7, 9])
    #expect(a.grad?.shape == [2, 3])
  }
}
