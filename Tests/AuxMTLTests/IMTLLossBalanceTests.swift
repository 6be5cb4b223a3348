import AuxEngine
import AuxMTL
import AuxNN
import Foundation
import Testing

@Suite("IMTL-L")
struct IMTLLossBalanceTests {
  @Test("gradients of Σ e^{s}L − s match the PyTorch reference; weights are e^{s}")
  func matchesReference() throws {
    let problem = try LossFixtureProblem()
    let method = try MethodRegistry.make("imtl-l", tasks: LossFixtureProblem.tasks) as! IMTLLossBalance
    #expect(method.logScale.value.scalars == [0, 0, 0])
    let s = try problem.expected("imtl_l.log_scale")
    method.logScale.assign(s)
    let report = try method.backward(problem.makeStep())
    #expect(report.perTask("weight") == s.scalars.map { Float(exp(Double($0))) })
    expectClose(method.logScale.grad!.scalars, try problem.expected("imtl_l.grad.log_scale"), "∂L/∂s")
    try problem.expectGradients("imtl_l")
  }

  @Test("every scaled loss is driven to 1: s → −log L")
  func stationaryPoint() throws {
    let tasks = [TaskInfo("p", role: .primary), TaskInfo("q", role: .auxiliary)]
    let method = try MethodRegistry.make("imtl-l", tasks: tasks) as! IMTLLossBalance
    let opt = SGD([ParameterGroup(name: "s", parameters: method.parameters, learningRate: 0.2)])
    let fixed: [Float] = [0.5, 4]
    for _ in 0..<400 {
      opt.zeroGrad()
      _ = try method.backward(MTLStep(tasks: tasks, losses: fixed.map { Tensor($0).requiringGrad() }))
      opt.step()
    }
    for t in 0..<2 { #expect(abs(Double(method.logScale.value.scalars[t]) + log(Double(fixed[t]))) < 1e-4) }
  }
}
