import AuxBench
import AuxEngine
import AuxIO
import AuxMTL
import AuxNN
import AuxTestSupport
import Testing

@Suite("Benchmarks")
struct BenchmarkTests {
  @Test("the benchmark models' analytic MAC counts equal PyTorch's FlopCounterMode on torch_step.py's models", arguments: BenchmarkModel.allCases)
  func macsMatchTorch(model: BenchmarkModel) throws {
    let f = try Fixtures.load("interop/networks")
    let expected = try #require(Int(f.metadata["macs.\(model.rawValue).t3.b2.s64"] ?? ""))
    let problem = BenchmarkProblem(model: model, tasks: 3, batch: 2, size: 64)
    #expect(problem.model.forwardCost(input: [2, 3, 64, 64]).macs == expected)
  }

  @Test("problems: task kinds cycle, task 0 is primary, outputs have the input's size")
  func problem() {
    let p = BenchmarkProblem(model: .ref, tasks: 5, batch: 2, size: 16)
    #expect(p.kinds == [.segmentation, .depth, .normals, .segmentation, .depth])
    #expect(p.tasks.map(\.role) == [.primary, .auxiliary, .auxiliary, .auxiliary, .auxiliary])
    let out = p.model(p.input)
    #expect(out.outputs.map(\.shape) == [[2, 7, 16, 16], [2, 1, 16, 16], [2, 3, 16, 16], [2, 7, 16, 16], [2, 1, 16, 16]])
    #expect(p.losses(out.outputs).allSatisfy { $0.count == 1 && $0.item.isFinite })
  }

  @Test("every registered method takes two steps on the benchmark problem and trains its model", arguments: MethodRegistry.all.map(\.name))
  func everyMethodSteps(name: String) throws {
    let p = BenchmarkProblem(model: .ref, tasks: 3, batch: 2, size: 8)
    let runner = try BenchmarkStepRunner(problem: p, method: name)
    let before = p.model.encoder.parameters()[0].value.scalars
    try runner.step()
    try runner.step()
    #expect(runner.iteration == 2)
    #expect(p.model.encoder.parameters()[0].value.scalars != before, "\(name) did not update the encoder")
    #expect(p.model.parameters().allSatisfy { $0.value.scalars.allSatisfy(\.isFinite) })
  }

  @Test("bench step and bench methods report consistent figures")
  func reports() throws {
    var c = StepBenchmark.Configuration()
    c.batch = 2
    c.size = 16
    c.steps = 3
    c.warmup = 1
    let r = try StepBenchmark.run(c)
    #expect(r.timings.sorted.count == 3 && r.timings.p10 <= r.timings.median && r.timings.median <= r.timings.p90)
    #expect(r.forwardMACs == BenchmarkProblem(model: .ref, tasks: 3, batch: 2, size: 16).model.forwardCost(input: [2, 3, 16, 16]).macs)
    #expect(r.peakTensorBytes > 0 && r.effectiveGFLOPs > 0)
    var m = MethodsBenchmark.Configuration()
    m.batch = 2
    m.size = 16
    m.rounds = 2
    m.warmup = 1
    m.methods = ["ial", "pcgrad"]
    let rows = try MethodsBenchmark.run(m)
    #expect(rows.map(\.method) == ["ew", "ial", "pcgrad"])
    #expect(rows[0].ratio == 1 && rows[0].memoryRatio == 1 && rows[0].cpuRatio == 1)
    #expect(rows.allSatisfy { $0.cpuTimings.median > 0 })
    #expect(rows.allSatisfy { $0.timings.sorted.count == 2 && $0.stepPeakBytes > 0 })
  }
}

@Suite("Benchmark settings")
struct BenchmarkSettingsTests {
  @Test("nonsensical counts are refused with the setting named, before anything is built")
  func badCounts() {
    var step = StepBenchmark.Configuration()
    step.steps = 0
    #expect(throws: BenchmarkConfigurationError("--steps must be at least 1 (a median needs a measurement), got 0")) { try StepBenchmark.run(step) }
    step.steps = 1
    step.warmup = -1
    #expect(throws: BenchmarkConfigurationError("--warmup must be 0 or more, got -1")) { try StepBenchmark.run(step) }
    step.warmup = 0
    step.tasks = 1
    #expect(throws: BenchmarkConfigurationError.self) { try StepBenchmark.run(step) }
    step.tasks = 2
    step.threads = 0
    #expect(throws: BenchmarkConfigurationError("--threads must be at least 1, got 0")) { try StepBenchmark.run(step) }
    step.threads = nil
    step.method = "nosuch"
    #expect(throws: BenchmarkConfigurationError.self) { try step.validate() }

    var methods = MethodsBenchmark.Configuration()
    methods.rounds = 0
    #expect(throws: BenchmarkConfigurationError("--rounds must be at least 1 (a median needs a measurement), got 0")) { try MethodsBenchmark.run(methods) }
    methods.rounds = 1
    methods.batch = 1
    #expect(throws: BenchmarkConfigurationError.self) { try MethodsBenchmark.run(methods) }
    methods.batch = 2
    #expect(throws: Never.self) { try methods.validate() }
  }
}
