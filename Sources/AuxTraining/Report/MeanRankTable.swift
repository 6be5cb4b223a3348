/// Mean rank across settings: in every Table I (a setting: a dataset and its primary tasks) the
/// rows are ranked by the table's headline Δm (1 = best; the single-task row has Δm 0; ties share
/// the mean of their ranks), then each method's ranks are averaged over the settings it appears in.
public struct MeanRankTable: Sendable {
  public struct Row: Sendable, Equatable {
    public let variant: MethodVariant
    /// Per setting (one per ``MeanRankTable/settings``): the rank, nil where the method has no
    /// headline Δm.
    public let ranks: [Double?]
    /// Mean over the settings with a rank.
    public let meanRank: Double
    public var settingCount: Int { ranks.compactMap { $0 }.count }
  }

  /// The tables' titles.
  public let settings: [String]
  /// Sorted by mean rank (best first), then by name.
  public let rows: [Row]

  /// Ranks the headline Δm of each table.
  public static func build(tables: [ResultsTable]) -> MeanRankTable {
    let ranked = tables.filter { $0.headlineColumn != nil }
    var perTable: [[MethodVariant: Double]] = []
    for t in ranked {
      let j = t.headlineColumn!
      var values: [(MethodVariant, Double)] = []
      for row in t.rows {
        if row.variant.isSingleTask {
          values.append((row.variant, 0))
        } else if let v = row.deltaM[j].value, v.isFinite {
          values.append((row.variant, v))
        }
      }
      perTable.append(ranks(values))
    }
    let variants = uniqued(ranked.flatMap { $0.rows.map(\.variant) }).filter { v in perTable.contains { $0[v] != nil } }
    let rows = variants.map { v -> Row in
      let r = perTable.map { $0[v] }
      let present = r.compactMap { $0 }
      return Row(variant: v, ranks: r, meanRank: present.reduce(0, +) / Double(present.count))
    }.sorted { ($0.meanRank, $0.variant.description) < ($1.meanRank, $1.variant.description) }
    return MeanRankTable(settings: ranked.map(\.title), rows: rows)
  }

  /// Ranks (1 = highest value), ties sharing the mean of the ranks they span.
  static func ranks(_ values: [(MethodVariant, Double)]) -> [MethodVariant: Double] {
    let sorted = values.sorted { $0.1 > $1.1 }
    var out: [MethodVariant: Double] = [:]
    var i = 0
    while i < sorted.count {
      var k = i
      while k + 1 < sorted.count && sorted[k + 1].1 == sorted[i].1 { k += 1 }
      let rank = Double(i + k + 2) / 2
      for m in i...k { out[sorted[m].0] = rank }
      i = k + 1
    }
    return out
  }

  /// Method, settings ranked in, mean rank, then the rank in each setting.
  public func textGrid() -> TextGrid {
    let header = ["Method", "Settings", "Mean rank"] + settings.indices.map { "Rank in [\($0 + 1)]" }
    let body = rows.map { r in
      [r.variant.description, String(r.settingCount), ReportFormat.fixed(r.meanRank, 2)]
        + r.ranks.map { $0.map { ReportFormat.fixed($0, 1) } ?? "—" }
    }
    return TextGrid(
      title: "Mean rank across settings (by each table's headline Δm; 1 = best)", header: header, rows: body,
      notes: settings)
  }
}
