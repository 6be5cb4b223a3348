import AuxTraining
import Foundation

/// The presets under the repository's `configs/` folder, found relative to this source file.
enum PresetFiles {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // AuxTrainingTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // repository root
    .appendingPathComponent("configs")

  /// Every `*.yaml` file name in `configs/`, sorted (empty when the folder cannot be listed, which
  /// the tests then report).
  static var names: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
      .filter { $0.hasSuffix(".yaml") }.sorted()
  }

  static func url(_ name: String) -> URL {
    directory.appendingPathComponent(name.hasSuffix(".yaml") ? name : "\(name).yaml")
  }

  static func load(_ name: String) throws -> TrainConfig {
    try TrainConfig.load(file: url(name))
  }
}

/// The variants a preset's header documents: the lines of its `# Variants` block, each a label and
/// the extra `auxmtl train` arguments (only `--set key=value`), optionally followed by a
/// parenthetical: a comment, or `(or a, b; comment)`, the same command with each alternative value
/// for the line's last `--set`.
///
/// ```text
/// # Variants (extra arguments for `auxmtl train --config configs/nyuv2.yaml`; each runs as written):
/// #   other primaries     --set tasks.auxiliary=null --set tasks.primary=depth   (or normal)
/// ```
struct PresetVariant: CustomStringConvertible {
  var label: String
  var overrides: [String]
  var description: String { "\(label): " + overrides.map { "--set \($0)" }.joined(separator: " ") }

  /// A problem with a header that documents variants in another form.
  struct FormatProblem: Error, CustomStringConvertible {
    var description: String
  }

  /// The variants of a preset's text.
  ///
  /// - Throws: ``FormatProblem`` when a block line holds anything but a label, `--set` arguments
  ///   and one closing parenthetical.
  static func parse(_ text: String, file: String) throws -> [PresetVariant] {
    let header = text.split(separator: "\n", omittingEmptySubsequences: false).prefix { $0.hasPrefix("#") }
    var out: [PresetVariant] = []
    var inBlock = false
    for (n, raw) in header.enumerated() {
      let line = raw.dropFirst()  // the "#"
      if line.hasPrefix(" Variants") {
        inBlock = true
        continue
      }
      if inBlock && line.hasPrefix("   ") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
        out += try parseLine(String(line), at: "\(file):\(n + 1)")
        continue
      }
      inBlock = false
    }
    return out
  }

  private static func parseLine(_ line: String, at place: String) throws -> [PresetVariant] {
    var body = line.trimmingCharacters(in: .whitespaces)
    var alternatives: [String] = []
    // A closing parenthetical is a comment, or "(or a, b; comment)": alternative values.
    if body.hasSuffix(")"), let open = body.lastIndex(of: "(") {
      let inside = body[body.index(after: open)..<body.index(before: body.endIndex)]
      if inside.hasPrefix("or ") {
        alternatives = inside.dropFirst(3).split(separator: ";")[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !alternatives.isEmpty, alternatives.allSatisfy({ !$0.isEmpty && !$0.contains(" ") && $0 != "..." }) else {
          throw FormatProblem(description: "\(place): '(or …)' must list plain values separated by commas: \(line)")
        }
      }
      body = String(body[..<open]).trimmingCharacters(in: .whitespaces)
    }
    guard let first = body.range(of: "--set ") else {
      throw FormatProblem(description: "\(place): a variant line needs a label and --set arguments: \(line)")
    }
    let label = body[..<first.lowerBound].trimmingCharacters(in: .whitespaces)
    let words = body[first.lowerBound...].split(separator: " ").map(String.init)
    var overrides: [String] = []
    var i = 0
    while i < words.count {
      guard words[i] == "--set", i + 1 < words.count, words[i + 1].contains("=") else {
        throw FormatProblem(description: "\(place): expected '--set key=value', found '\(words[i...].joined(separator: " "))'")
      }
      overrides.append(words[i + 1])
      i += 2
    }
    guard !label.isEmpty else { throw FormatProblem(description: "\(place): a variant line starts with its label: \(line)") }
    var variants = [PresetVariant(label: label, overrides: overrides)]
    if let last = overrides.last, let eq = last.firstIndex(of: "=") {
      for value in alternatives {
        var o = overrides
        o[o.count - 1] = last[...eq] + value
        variants.append(PresetVariant(label: label, overrides: o))
      }
    }
    return variants
  }
}
