import AuxTraining
import Foundation

/// Writes run folders by hand (as the trainer would) so the report's arithmetic can be checked
/// against numbers computed by hand.
///
/// Tasks: `semantic` (mIoU ↑, pixelAccuracy ↑; main mIoU) and `depth` (absErr ↓, rmse ↓; main
/// absErr) on dataset `scenes`.
struct HandMadeExperiment {
  let directory: URL

  init(_ label: String) throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("auxmtl-report-\(label)-\(UUID().uuidString)")
      .appendingPathComponent("exp")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  /// Removes the folder, unless AUXMTL_KEEP_TEST_EXPERIMENT is set (then prints where it is, for
  /// trying `auxmtl report` on it).
  func remove() {
    if ProcessInfo.processInfo.environment["AUXMTL_KEEP_TEST_EXPERIMENT"] != nil {
      print("kept test experiment: \(directory.path)")
      return
    }
    try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
  }

  static let mainMetrics = ["semantic": "mIoU", "depth": "absErr"]

  /// Final metrics: semantic (mIoU, pixAcc), depth (absErr, rmse); nil leaves the task out.
  static func metrics(semantic: (Double, Double)?, depth: (Double, Double)?) -> [MetricRecord] {
    var out: [MetricRecord] = []
    if let s = semantic {
      out.append(MetricRecord(task: "semantic", metric: "mIoU", value: s.0, higherIsBetter: true))
      out.append(MetricRecord(task: "semantic", metric: "pixelAccuracy", value: s.1, higherIsBetter: true))
    }
    if let d = depth {
      out.append(MetricRecord(task: "depth", metric: "absErr", value: d.0, higherIsBetter: false))
      out.append(MetricRecord(task: "depth", metric: "rmse", value: d.1, higherIsBetter: false))
    }
    return out
  }

  /// Writes one run folder.
  @discardableResult
  func run(
    _ method: String, primary: [String], tasks: [String], seed: UInt64,
    semantic: (Double, Double)? = nil, depth: (Double, Double)? = nil,
    seconds: [Double] = [1, 1], status: RunStatus = .finished, options: [String: String] = [:],
    error: String? = nil, stepValues: [String] = [], cpuSeconds: [Double]? = nil, load: [Double]? = nil,
    environment: [String: String] = [:]
  ) throws -> RunFolder {
    let id = "\(method)-\(primary.joined(separator: "+"))-s\(seed)"
    let folder = RunFolder(directory.appendingPathComponent(id))
    var r = RunRecord(
      id: id, experiment: "exp", method: method, methodOptions: options, tasks: tasks, primaryTasks: primary,
      seed: seed, dataset: "scenes", model: "refcnn", epochsPlanned: seconds.count,
      mainMetrics: Self.mainMetrics.filter { tasks.contains($0.key) }, environment: environment,
      startedAt: Date(timeIntervalSince1970: 1_800_000_000))
    r.status = status
    r.error = error
    r.epochsCompleted = status == .finished ? seconds.count : 1
    r.secondsPerEpoch = status == .finished ? seconds : [seconds[0]]
    r.cpuSecondsPerEpoch = cpuSeconds
    r.loadAveragePerEpoch = load
    r.bestEpoch = seconds.count
    if status == .finished { r.finalMetrics = Self.metrics(semantic: semantic, depth: depth) }
    try folder.write(r)
    // Validation curves: epoch e holds the final values scaled by e / epochs; losses fall.
    for e in 1...seconds.count {
      let f = Double(e) / Double(seconds.count)
      let m = Self.metrics(semantic: semantic.map { ($0.0 * f, $0.1 * f) }, depth: depth.map { ($0.0 / f, $0.1 / f) })
      var loss: [String: Double] = [:]
      for t in tasks { loss[t] = 2.0 / Double(e) + Double(seed) * 0.01 }
      try folder.append(EvaluationRecord(epoch: e, split: "val", trainLoss: loss, metrics: m, trainSeconds: seconds[e - 1]), to: folder.metricsURL)
    }
    for step in stride(from: 0, through: 20, by: 10) {
      var values: [String: Double] = [:]
      for t in tasks { values["weight/\(t)"] = 1 + Double(step) / 100 + Double(seed) * 0.05 }
      for k in stepValues { values[k] = Double(step) / 20 }
      try folder.append(StepRecord(step: step, epoch: 1 + step / 10, losses: [:], values: values, learningRate: 1e-3), to: folder.stepsURL)
    }
    return folder
  }

  /// The experiment of the report tests.
  ///
  /// Single-task: semantic seeds 0, 1: mIoU 0.40, 0.44, pixAcc 0.80, 0.82; depth seeds 0, 1:
  /// absErr 0.50, 0.54, rmse 0.70, 0.74.
  /// Primary semantic: ial seeds 0–2: mIoU .45 .46 .47, pixAcc .83 .84 .85, absErr .48 .50 .52,
  /// rmse .69 .70 .71; ew seeds 0, 1: mIoU .41 .43, pixAcc .80 .80, absErr .56 .58, rmse .80 .78.
  /// Primary depth: ial seeds 0, 1: mIoU .39 .41, pixAcc .79 .81, absErr .46 .48, rmse .66 .68.
  /// Left out: ial seed 3 (running), ew seed 2 (failed).
  /// Seconds per epoch: ial [2, 2.4] [2.2, 2.2] [2.4, 2.6] (semantic) and [2.2, 2.2] ×2 (depth);
  /// ew [1, 1.2] [1.1, 1.1]; single-task [0.5, 0.5].
  static func standard(_ label: String, withDepthBaseline: Bool = true) throws -> HandMadeExperiment {
    let x = try HandMadeExperiment(label)
    let ialValues = ["decoder_weight/semantic", "decoder_weight/depth", "encoder_weight/depth", "norm_ratio/depth", "sigma/semantic", "sigma/depth"]
    try x.run("single-task", primary: ["semantic"], tasks: ["semantic"], seed: 0, semantic: (0.40, 0.80), seconds: [0.5, 0.5])
    try x.run("single-task", primary: ["semantic"], tasks: ["semantic"], seed: 1, semantic: (0.44, 0.82), seconds: [0.5, 0.5])
    if withDepthBaseline {
      try x.run("single-task", primary: ["depth"], tasks: ["depth"], seed: 0, depth: (0.50, 0.70), seconds: [0.5, 0.5])
      try x.run("single-task", primary: ["depth"], tasks: ["depth"], seed: 1, depth: (0.54, 0.74), seconds: [0.5, 0.5])
    }
    let sd = ["semantic", "depth"], ds = ["depth", "semantic"]
    try x.run("ial", primary: ["semantic"], tasks: sd, seed: 0, semantic: (0.45, 0.83), depth: (0.48, 0.69), seconds: [2.0, 2.4], stepValues: ialValues)
    try x.run("ial", primary: ["semantic"], tasks: sd, seed: 1, semantic: (0.46, 0.84), depth: (0.50, 0.70), seconds: [2.2, 2.2], stepValues: ialValues)
    try x.run("ial", primary: ["semantic"], tasks: sd, seed: 2, semantic: (0.47, 0.85), depth: (0.52, 0.71), seconds: [2.4, 2.6], stepValues: ialValues)
    try x.run("ial", primary: ["semantic"], tasks: sd, seed: 3, semantic: (0.99, 0.99), depth: (0.01, 0.01), status: .running)
    try x.run("ew", primary: ["semantic"], tasks: sd, seed: 0, semantic: (0.41, 0.80), depth: (0.56, 0.80), seconds: [1.0, 1.2])
    try x.run("ew", primary: ["semantic"], tasks: sd, seed: 1, semantic: (0.43, 0.80), depth: (0.58, 0.78), seconds: [1.1, 1.1])
    try x.run("ew", primary: ["semantic"], tasks: sd, seed: 2, status: .failed, error: "loss became NaN at step 12")
    try x.run("ial", primary: ["depth"], tasks: ds, seed: 0, semantic: (0.39, 0.79), depth: (0.46, 0.66), seconds: [2.2, 2.2], stepValues: ialValues)
    try x.run("ial", primary: ["depth"], tasks: ds, seed: 1, semantic: (0.41, 0.81), depth: (0.48, 0.68), seconds: [2.2, 2.2], stepValues: ialValues)
    return x
  }
}
