/// Why a Δm could not be computed: the model's and the baseline's metrics do not correspond.
public struct DeltaMError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { "Δm: \(message)" }
}

/// Relative multi-task improvement Δm with **one metric per task**, in percent (IAL
/// eq. (11); Vandenhende et al., `evaluation/evaluate_utils.py:calculate_multi_task_performance`):
///
///     Δm = (100 % / T) · Σ_t (−1)^{l_t} · (M_{m,t} − M_{b,t}) / M_{b,t}
///
/// with `l_t = 1` when lower is better. Positive Δm means the model beats the single-task
/// baselines on average.
///
/// - Parameters:
///   - model: per task name, the model's value of the task's one metric.
///   - baseline: per task name, the single-task baseline's value of the same metric (same name and
///     direction, non-zero).
/// - Throws: ``DeltaMError`` when the task sets differ, a metric's name or direction differs from
///   the baseline's, a baseline is 0, or there is no task.
public func deltaMSingleMetric(model: [String: MetricValue], baseline: [String: MetricValue]) throws -> Double {
  try checkTasks(Set(model.keys), Set(baseline.keys))
  var sum = 0.0
  for task in model.keys.sorted() {
    sum += try signedChange(task: task, model[task]!, baseline[task]!)
  }
  return 100 * sum / Double(model.count)
}

/// Relative multi-task improvement Δm averaging **all metrics of a task** first, then over
/// tasks, in percent (LibMTL `LibMTL/utils.py:count_improvement`, used by CAGrad,
/// Nash-MTL, FAMO):
///
///     Δm = (100 % / T) · Σ_t (1 / K_t) · Σ_k (−1)^{l_{t,k}} · (M_{m,t,k} − M_{b,t,k}) / M_{b,t,k}
///
/// (LibMTL returns the fraction; this returns percent.) Metrics are matched by name within a task;
/// their order does not matter.
///
/// - Parameters:
///   - model: per task name, the model's metric values (e.g. NYUv2 segmentation: mIoU and
///     pixelAccuracy; normals: mean, median, within11.25, within22.5, within30).
///   - baseline: per task name, the baseline's values of the same metrics.
/// - Throws: ``DeltaMError`` when tasks or metric names differ, a direction differs, a baseline is
///   0, or a task has no metric.
public func deltaMPerTaskMean(model: [String: [MetricValue]], baseline: [String: [MetricValue]]) throws -> Double {
  try checkTasks(Set(model.keys), Set(baseline.keys))
  var sum = 0.0
  for task in model.keys.sorted() {
    let mine = model[task]!, theirs = baseline[task]!
    guard !mine.isEmpty else { throw DeltaMError("task '\(task)' has no metric") }
    let names = mine.map(\.name)
    guard Set(names).count == names.count else { throw DeltaMError("task '\(task)' lists a metric twice: \(names)") }
    guard Set(names) == Set(theirs.map(\.name)), theirs.count == mine.count else {
      throw DeltaMError("task '\(task)': model metrics \(names.sorted()) differ from baseline metrics \(theirs.map(\.name).sorted())")
    }
    var taskSum = 0.0
    for m in mine {
      let b = theirs.first { $0.name == m.name }!
      taskSum += try signedChange(task: task, m, b)
    }
    sum += taskSum / Double(mine.count)
  }
  return 100 * sum / Double(model.count)
}

private func checkTasks(_ model: Set<String>, _ baseline: Set<String>) throws {
  guard !model.isEmpty else { throw DeltaMError("no task to compare") }
  guard model == baseline else {
    throw DeltaMError("model tasks \(model.sorted()) differ from baseline tasks \(baseline.sorted())")
  }
}

private func signedChange(task: String, _ m: MetricValue, _ b: MetricValue) throws -> Double {
  guard m.name == b.name else {
    throw DeltaMError("task '\(task)': model metric '\(m.name)' is compared with baseline metric '\(b.name)'")
  }
  guard m.direction == b.direction else {
    throw DeltaMError("task '\(task)', metric '\(m.name)': direction \(m.direction) differs from the baseline's \(b.direction)")
  }
  guard b.value != 0, b.value.isFinite else {
    throw DeltaMError("task '\(task)', metric '\(m.name)': baseline value \(b.value) cannot be divided by")
  }
  return m.relativeChange(over: b.value)
}
