import AuxData
import Yams

extension RunRegistries {
  /// One registry's entries as `auxmtl components` prints them, keyed by its configuration key.
  public struct Section: Sendable {
    /// The configuration key (`dataset.name`).
    public let key: String
    /// Each entry's name, summary and options.
    public let entries: [(name: String, summary: String, options: [RegistryOption])]
  }

  /// Every registry's entries, in the order of the configuration file's keys.
  public var sections: [Section] {
    func section<E: RegistryEntry>(_ r: Registry<E>) -> Section {
      Section(key: r.key, entries: r.entries.map { ($0.name, $0.summary, $0.options) })
    }
    return [section(datasets), section(networks.encoders), section(networks.heads), section(optimizers), section(schedules)]
  }

  /// The listing `auxmtl components` prints: for each key, every registered name with its
  /// summary, and the keys each entry reads with the type, range and default the configuration
  /// schema gives them (`key` alone: only that key's section).
  ///
  /// - Throws: ``TrainingError`` for a `key` that no registry serves (listing the ones that do).
  public func listing(key: String? = nil) throws -> String {
    let chosen = key.map { k in sections.filter { $0.key == k } } ?? sections
    if let key, chosen.isEmpty {
      throw TrainingError("'\(key)' is not a key with registered names; those are \(sections.map(\.key).joined(separator: ", "))")
    }
    let fields = Dictionary(TrainConfig.schema(self).map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    let defaults = TrainConfig()
    var lines: [String] = []
    for s in chosen {
      let current = fields[s.key].flatMap { $0.represent(defaults).scalar?.string }
      lines.append("\(s.key)\(current.map { " (default \($0))" } ?? "")")
      let width = s.entries.map(\.name.count).max() ?? 0
      for e in s.entries {
        lines.append("  \(e.name)\(String(repeating: " ", count: width - e.name.count))  \(e.summary)")
        for o in e.options {
          let field = fields[o.key]
          let range = o.range.map { r in "within \(o.rangeText ?? "\(r.lowerBound)…\(r.upperBound)")" }
          let detail = [range ?? field?.expected, field.flatMap { $0.represent(defaults).scalar?.string }.map { "default \($0)" }]
            .compactMap { $0 }.joined(separator: "; ")
          lines.append("  \(String(repeating: " ", count: width))    \(o.key): \(o.help)\(detail.isEmpty ? "" : " (\(detail))")")
        }
      }
      lines.append("")
    }
    return lines.joined(separator: "\n")
  }
}
