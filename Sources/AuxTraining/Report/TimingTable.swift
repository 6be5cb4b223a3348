/// A table shaped like the IAL paper's Table II: training seconds per epoch of each method and
/// its ratio to equal weighting's.
///
/// A run's seconds per epoch is the mean of its recorded epoch times (training only, no
/// evaluation; ``RunRecord/secondsPerEpoch``); a row is the mean ± sample std over its runs
/// (seeds and primary-task sets), each run counting once. The ratio divides a row's mean by the
/// mean of the `ew` row (no options) of the same dataset. Only finished runs count.
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
  }

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
      var summaries: [(MethodVariant, Int, Int, SampleSummary?)] = []
      for variant in uniqued(dRuns.map { MethodVariant($0.record) }).sorted() {
        let timed = dRuns.filter { MethodVariant($0.record) == variant && !$0.record.secondsPerEpoch.isEmpty }
        let means = timed.map { $0.record.secondsPerEpoch.reduce(0, +) / Double($0.record.secondsPerEpoch.count) }
        summaries.append((variant, timed.count, timed.reduce(0) { $0 + $1.record.secondsPerEpoch.count }, SampleSummary(means)))
      }
      let reference = summaries.first { $0.0 == MethodVariant(method: referenceMethod, options: [:]) }?.3?.mean
      if reference == nil { _ = notes.add("\(dataset): no finished ew run with epoch times, so no ratio to EW.") }
      for (variant, n, epochs, s) in summaries {
        let ratio = reference.flatMap { r in s.map { $0.mean / r } }
        rows.append(Row(dataset: dataset, variant: variant, runCount: n, epochCount: epochs, secondsPerEpoch: s, ratioToEqualWeighting: ratio))
      }
    }
    return TimingTable(rows: rows, notes: notes.notes)
  }
}
