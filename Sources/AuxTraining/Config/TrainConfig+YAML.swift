import AuxIO
import Foundation
import Yams

extension TrainConfig {
  /// Reads a configuration file, applies command-line overrides after it, and validates the
  /// result.
  ///
  /// - Parameters:
  ///   - file: a YAML file (nil: start from the defaults).
  ///   - overrides: `key.path=value` strings, applied in order (see
  ///     ``ConfigLoader/apply(override:)``).
  /// - Throws: ``ConfigError`` naming the file or `command line`, the line where known, the key,
  ///   what was expected and what was found.
  ///   - note: receives each line of ``ConfigLoader/notes`` (what loading resolved by itself,
  ///     e.g. a task moved from the auxiliaries to the primary); the CLI prints them.
  public static func load(file: URL?, overrides: [String] = [], note: (String) -> Void = { _ in }) throws -> TrainConfig {
    var loader = ConfigLoader()
    if let file { try loader.apply(file: file) }
    for o in overrides { try loader.apply(override: o) }
    let config = try loader.validated()
    loader.notes.forEach(note)
    return config
  }

  /// Parses YAML text (as ``load(file:overrides:note:)`` does a file); `source` names it in errors.
  public static func parse(
    yaml: String, source: String = "configuration", overrides: [String] = [], note: (String) -> Void = { _ in }
  ) throws -> TrainConfig {
    var loader = ConfigLoader()
    try loader.apply(yaml: yaml, source: source)
    for o in overrides { try loader.apply(override: o) }
    let config = try loader.validated()
    loader.notes.forEach(note)
    return config
  }

  /// The configuration as YAML with every key (snake_case, schema order), the form saved in each
  /// run folder as `config.yaml`. ``parse(yaml:source:overrides:)`` reads it back to an equal
  /// value.
  public func yaml() -> String {
    let schema = TrainConfig.schema
    var top: [(Node, Node)] = schema.filter { $0.section.isEmpty }.map { (YAMLText.plain($0.name), $0.represent(self)) }
    for section in TrainConfig.sectionNames {
      let pairs = schema.filter { $0.section == section }.map { (YAMLText.plain($0.name), $0.represent(self)) }
      top.append((YAMLText.plain(section), Node(pairs, .implicit, .block)))
    }
    let body: String
    do {
      body = try Yams.serialize(node: Node(top, .implicit, .block), indent: 2, width: -1, allowUnicode: true)
    } catch {
      // The nodes are built from plain values above; the emitter cannot reject them.
      preconditionFailure("TrainConfig.yaml: the YAML emitter failed: \(error)")
    }
    return "# auxmtl training configuration (every key; see configs/ for commented presets)\n" + body
  }

  /// Writes ``yaml()`` to `url` atomically.
  public func save(to url: URL) throws {
    try AtomicFile.write(Data(yaml().utf8), to: url)
  }
}
