/// A table shaped like the IAL paper's Table II: training seconds per epoch of each method and
/// its ratio to equal weighting's.
///
/// A run's seconds per epoch is the mean of its recorded epoch times (training only, no
/// evaluation; ``RunRecord/secondsPerEpoch``); a row is the mean ± sample std over its runs
/// (seeds and primary-task sets), each run counting once. The ratio divides a row's mean by the
/// mean of the `ew` row (no options) of the same dataset. Only finished runs count.
///
/// Beside the wall time, each row gives the CPU seconds per epoch (``RunRecord/cpuSecondsPerEpoch``)
/// and the load average the epochs ran under (``RunRecord/loadAveragePerEpoch``), summarised the
/// same way, and the CPU-time ratio to EW. A wall-time ratio is *marked* when its row and the EW
/// row ran under load averages that differ by more than ``loadTolerance(cpuCount:)``: one of them
/// shared the machine, so the ratio measures the machine as much as the method.
public struct TimingTable: Sendable {
  public struct Row: Sendable {
    public let dataset: String
    /// The method (with non-default options), or the single-task runs.
    public let variant: MethodVariant
    /// Runs with at least one timed epoch.
    public let runCount: Int
    /// Timed epochs over those runs.
    public let epochCount: Int
    /// Seconds per epoch over runs; nil when no run recorded a time.
    public let secondsPerEpoch: SampleSummary?
    /// `secondsPerEpoch.mean / EW's`; nil without an EW row (or without times).
    public let ratioToEqualWeighting: Double?
    /// CPU seconds per epoch over runs (each run's mean); nil when no run recorded it.
    public let cpuSecondsPerEpoch: SampleSummary?
    /// `cpuSecondsPerEpoch.mean / EW's`; nil without both.
    public let cpuRatioToEqualWeighting: Double?
    /// The load average over runs (each run's mean over its epochs); nil when not recorded.
    public let loadAverage: SampleSummary?
    /// Whether this row's and EW's mean load averages differ by more than the tolerance (the
    /// wall-time ratio is then marked as taken under different loads).
    public let loadDiffersFromEqualWeighting: Bool
  }

  /// How far two rows' mean load averages may differ before their wall-time ratio is marked:
  /// one busy core, or a quarter of the machine's cores where that is more.
  public static func loadTolerance(cpuCount: Int?) -> Double { max(1, 0.25 * Double(cpuCount ?? 1)) }

  /// Per dataset, the methods in registry order, then the single-task runs.
  public let rows: [Row]
  /// Why a ratio is missing.
  public let notes: [String]

  /// The registry name of equal weighting, the reference of the ratio.
  public static let referenceMethod = "ew"

  static func build(runs: [LoadedRun]) -> TimingTable {
    var rows: [Row] = []
    var notes = NoteList()
    for dataset in uniqued(runs.map(\.record.dataset)) {
      let dRuns = runs.filter { $0.record.dataset == dataset }
      func mean(_ values: [Double]?) -> Double? {
        guard let values, !values.isEmpty else { return nil }
        return values.reduce(0, +) / Double(values.count)
      }
      struct Summary {
        var variant: MethodVariant
        var runs: Int
        var epochs: Int
        var wall, cpu, load: SampleSummary?
      }
      var summaries: [Summary] = []
      for variant in uniqued(dRuns.map { MethodVariant($0.record) }).sorted() {
        let timed = dRuns.filter { MethodVariant($0.record) == variant && !$0.record.secondsPerEpoch.isEmpty }
        summaries.append(Summary(
          variant: variant, runs: timed.count, epochs: timed.reduce(0) { $0 + $1.record.secondsPerEpoch.count },
          wall: SampleSummary(timed.compactMap { mean($0.record.secondsPerEpoch) }),
          cpu: SampleSummary(timed.compactMap { mean($0.record.cpuSecondsPerEpoch) }),
          load: SampleSummary(timed.compactMap { mean($0.record.loadAveragePerEpoch) })))
      }
      let reference = summaries.first { $0.variant == MethodVariant(method: referenceMethod, options: [:]) }
      if reference?.wall == nil { _ = notes.add("\(dataset): no finished ew run with epoch times, so no ratio to EW.") }
      let cores = dRuns.compactMap { $0.record.environment["cpu_count"].flatMap(Int.init) }.max()
      let tolerance = Self.loadTolerance(cpuCount: cores)
      var marked = false
      for s in summaries {
        let ratio = reference?.wall.flatMap { r in s.wall.map { $0.mean / r.mean } }
        let cpuRatio = reference?.cpu.flatMap { r in s.cpu.map { $0.mean / r.mean } }
        let differs = ratio != nil && (reference?.load).flatMap { r in s.load.map { abs($0.mean - r.mean) > tolerance } } == true
        marked = marked || differs
        rows.append(Row(
          dataset: dataset, variant: s.variant, runCount: s.runs, epochCount: s.epochs, secondsPerEpoch: s.wall,
          ratioToEqualWeighting: ratio, cpuSecondsPerEpoch: s.cpu, cpuRatioToEqualWeighting: cpuRatio, loadAverage: s.load,
          loadDiffersFromEqualWeighting: differs))
      }
      if marked {
        _ = notes.add(
          "\(dataset): ‡ marks a wall-time ratio whose runs and EW's ran under load averages more than \(String(format: "%.2g", tolerance)) apart (the machine was shared); compare the CPU-time ratio, or time again on a quiet machine.")
      }
    }
    return TimingTable(rows: rows, notes: notes.notes)
  }
}
