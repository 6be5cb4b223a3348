import Foundation

/// Prints a ``TextGrid`` for a terminal: a title, aligned columns separated by two spaces, a rule
/// under the header, and the footnotes.
///
/// ```
/// scenes: primary semantic
/// Method       Seeds  semantic mIoU ↑  ...
/// ───────────  ─────  ───────────────
/// single-task  per task  0.4200 ± 0.0283
/// ```
public struct ConsoleTable: Sendable {
  public var grid: TextGrid

  public init(_ grid: TextGrid) { self.grid = grid }

  /// Display width of a string: one column per Unicode scalar, except combining marks (0).
  static func width(_ s: String) -> Int {
    s.unicodeScalars.reduce(0) { $0 + ($1.properties.generalCategory == .nonspacingMark ? 0 : 1) }
  }

  static func pad(_ s: String, to n: Int, right: Bool) -> String {
    let fill = String(repeating: " ", count: Swift.max(0, n - width(s)))
    return right ? fill + s : s + fill
  }

  /// The table as lines of text (ending with a newline).
  public func render() -> String {
    let columns = grid.header.count
    var widths = grid.header.map(Self.width)
    for row in grid.rows {
      for (i, cell) in row.enumerated() where i < columns { widths[i] = Swift.max(widths[i], Self.width(cell)) }
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { i, c in
        Self.pad(c, to: widths[i], right: i < grid.rightAligned.count && grid.rightAligned[i])
      }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    var out = grid.title.isEmpty ? "" : grid.title + "\n"
    out += line(grid.header) + "\n"
    out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
    for row in grid.rows { out += line(row) + "\n" }
    for (i, n) in grid.notes.enumerated() { out += "[\(i + 1)] \(n)\n" }
    return out
  }
}
