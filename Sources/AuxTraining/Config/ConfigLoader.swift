import AuxMTL
import AuxIO
import Foundation
import Yams

/// Builds a ``TrainConfig`` from YAML documents and `key.path=value` overrides, strictly.
///
/// Values are applied in order onto the defaults (the file, then each override), each checked
/// for its key, type and range as it is read; ``validated()`` then checks how values combine
/// (tasks, method options). Every failure is a ``ConfigError`` naming the file (or
/// `command line`), the line and column where Yams gives them, the full key path, what was
/// expected and what was found.
///
/// ```swift
/// var loader = ConfigLoader()
/// try loader.apply(yaml: text, source: "configs/nyuv2.yaml")
/// try loader.apply(override: "training.epochs=5")
/// let config = try loader.validated()
/// ```
public struct ConfigLoader {
  /// The configuration so far.
  public private(set) var config: TrainConfig
  /// Where each key was last set (for errors found when checking combinations).
  public private(set) var origins: [String: ConfigLocation] = [:]
  /// Lines for the user about what ``validated()`` resolved by itself (e.g. a task moved to
  /// `tasks.primary` by a later source leaves `tasks.auxiliary`); the CLI prints them.
  public private(set) var notes: [String] = []
  /// Counts the documents and overrides applied so far; each one is a layer.
  private var layer = 0
  /// The layer that last set each key (a later layer takes precedence over an earlier one).
  private var layerOfKey: [String: Int] = [:]
  private let schema: [ConfigField]
  private let fields: [String: ConfigField]
  private let sections: Set<String>

  /// The registries whose names the config may use.
  public let registries: RunRegistries

  /// Starts from `base` (the defaults unless given); names are checked against `registries`.
  public init(base: TrainConfig = TrainConfig(), registries: RunRegistries = .standard) {
    config = base
    self.registries = registries
    schema = TrainConfig.schema(registries)
    fields = Dictionary(uniqueKeysWithValues: schema.map { ($0.path, $0) })
    sections = Set(TrainConfig.sectionNames)
  }

  // MARK: - Documents

  /// Applies a YAML document (a mapping of the sections; an empty document changes nothing).
  ///
  /// - Parameter source: the file name errors name.
  public mutating func apply(yaml: String, source: String) throws {
    layer += 1
    let root: Node?
    do {
      root = try Yams.compose(yaml: yaml)
    } catch let e as YamlError {
      throw Self.error(from: e, source: source)
    }
    guard let root else { return }
    let top = ConfigNode(root, key: "", source: source)
    if top.isNull { return }
    guard case .mapping(let m) = root else {
      throw top.error("a configuration is a mapping of keys (\(allowedKeys(in: "").joined(separator: ", "))); found \(top.found)")
    }
    try apply(mapping: m, prefix: "", source: source)
  }

  /// Applies the file at `url`.
  public mutating func apply(file url: URL) throws {
    let text: String
    do {
      text = try String(contentsOf: url, encoding: .utf8)
    } catch {
      throw ConfigError(ConfigLocation(source: url.path), key: "", "cannot read the configuration file: \(FileErrorText.describe(error))")
    }
    try apply(yaml: text, source: url.path)
  }

  private mutating func apply(mapping m: Node.Mapping, prefix: String, source: String) throws {
    for (k, v) in m {
      let keyNode = ConfigNode(k, key: prefix, source: source)
      guard case .scalar(let ks) = k, !keyNode.isNull else {
        throw keyNode.error("keys must be plain names; found \(keyNode.found) as a key")
      }
      let path = prefix.isEmpty ? ks.string : "\(prefix).\(ks.string)"
      try apply(path: path, value: v, keyLocation: ConfigNode.location(of: k, source: source), source: source)
    }
  }

  private mutating func apply(path: String, value: Node, keyLocation: ConfigLocation, source: String) throws {
    let node = ConfigNode(value, key: path, source: source)
    if let field = fields[path] {
      try field.apply(&config, node)
      origins[path] = node.location
      layerOfKey[path] = layer
    } else if sections.contains(path) {
      if node.isNull { return }
      guard case .mapping(let m) = value else {
        throw node.error("expected a mapping of \(path) keys (\(allowedKeys(in: path).joined(separator: ", "))); found \(node.found)")
      }
      try apply(mapping: m, prefix: path, source: source)
    } else {
      throw unknownKeyError(path, at: keyLocation)
    }
  }

  // MARK: - Overrides

  /// Applies a command-line override `key.path=value`.
  ///
  /// The value is read as YAML (`5`, `1e-4`, `true`, `[semantic, depth]`, `{sign_mask: false}`),
  /// so it obeys the same rules as in a file. A key inside a mapping field sets one entry
  /// (`method.options.sign_mask=false`); an empty value (`method.options.sign_mask=`) removes it.
  /// A whole section can be given as a flow mapping (`training={epochs: 2, batch_size: 8}`).
  public mutating func apply(override: String) throws {
    layer += 1
    let source = ConfigLocation.commandLine.source
    guard let eq = override.firstIndex(of: "=") else {
      throw ConfigError(.commandLine, key: "", "override '\(override)' must have the form key.path=value (e.g. training.epochs=5)")
    }
    let path = String(override[..<eq]).trimmingCharacters(in: .whitespaces)
    let text = String(override[override.index(after: eq)...])
    guard !path.isEmpty, !path.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
      throw ConfigError(.commandLine, key: path, "override '\(override)' must have the form key.path=value (e.g. training.epochs=5)")
    }
    let value: Node
    do {
      value = try Yams.compose(yaml: text) ?? YAMLText.null
    } catch let e as YamlError {
      let inner = Self.error(from: e, source: source)
      throw ConfigError(.commandLine, key: path, "the value '\(text)' is not valid YAML: \(inner.message)")
    }
    let node = ConfigNode(value, key: path, source: source)

    if fields[path] != nil || sections.contains(path) {
      try apply(path: path, value: value, keyLocation: .commandLine, source: source)
      origins[path] = .commandLine
      return
    }
    // A key inside a mapping field: `method.options.<name>`.
    if let dot = path.lastIndex(of: "."), let field = fields[String(path[..<dot])], let setEntry = field.applyEntry {
      try setEntry(&config, String(path[path.index(after: dot)...]), node)
      origins[field.path] = .commandLine
      return
    }
    throw unknownKeyError(path, at: .commandLine)
  }

  // MARK: - Combinations

  /// The configuration after checking how its values combine (see ``TrainConfig/validate()``),
  /// with errors pointing at where the offending key was set.
  ///
  /// One combination is resolved rather than refused: when `tasks.primary` was set by a later
  /// source than `tasks.auxiliary` (a preset lists the auxiliaries, then
  /// `--set tasks.primary=depth` moves one of them to primary), the tasks that became primary
  /// leave the auxiliaries (all of them for `all`), and ``notes`` says so. Within one document
  /// or override, a task listed in both is still an error.
  public mutating func validated() throws -> TrainConfig {
    resolvePrimaryMoves()
    try config.validate(origins: origins, registries: registries)
    return config
  }

  /// Drops from `tasks.auxiliary` the tasks a later source made primary (see ``validated()``).
  private mutating func resolvePrimaryMoves() {
    let primaryKey = "tasks.primary", auxiliaryKey = "tasks.auxiliary"
    guard let aux = config.tasks.auxiliary, let p = layerOfKey[primaryKey], let a = layerOfKey[auxiliaryKey], p > a else { return }
    let primary = config.tasks.primary
    let everyTask = primary.contains(TrainConfig.allTasks)
    let moved = aux.filter { everyTask || primary.contains($0) }
    guard !moved.isEmpty else { return }
    let kept = aux.filter { !moved.contains($0) }
    config.tasks.auxiliary = kept
    let names = moved.map { "'\($0)'" }.joined(separator: ", ")
    let keptText = kept.isEmpty ? "none" : kept.joined(separator: ", ")
    var note = "tasks.auxiliary: \(names) \(moved.count == 1 ? "is" : "are") now primary (tasks.primary = \(primary.joined(separator: ",")), set in \(origins[primaryKey]?.source ?? "configuration")), so \(moved.count == 1 ? "it leaves" : "they leave") the auxiliary tasks; auxiliary tasks: \(keptText)"
    if !everyTask {
      note += " (--set tasks.auxiliary=null trains every other task of the dataset as auxiliary)"
    }
    notes.append(note)
  }

  // MARK: - Errors

  func allowedKeys(in section: String) -> [String] { TrainConfig.allowedKeys(in: section, schema: schema) }

  /// The error for a key that is not in the schema: the allowed keys of its section and, when
  /// one is close (or the key exists in another section), a suggestion.
  func unknownKeyError(_ path: String, at location: ConfigLocation) -> ConfigError {
    let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    // Find the first component that does not exist.
    var prefix = ""
    for (i, part) in parts.enumerated() {
      let candidate = prefix.isEmpty ? part : "\(prefix).\(part)"
      if sections.contains(candidate) {
        prefix = candidate
        continue
      }
      if let field = fields[candidate] {
        // A path that goes below a value.
        let rest = parts[(i + 1)...].joined(separator: ".")
        if field.applyEntry != nil {
          return ConfigError(location, key: path, "'\(rest)' cannot be set here: only single entries of \(candidate) can be set (\(candidate).<name>=value)")
        }
        return ConfigError(location, key: path, "\(candidate) is a single value (\(field.expected)); it has no key '\(rest)'")
      }
      let allowed = allowedKeys(in: prefix)
      let scope = prefix.isEmpty ? "at the top level" : "in \(prefix)"
      var message = "unknown key '\(part)'; allowed keys \(scope): \(allowed.joined(separator: ", "))"
      if let near = KeySuggestion.closest(to: part, in: allowed) {
        message += "; did you mean \(prefix.isEmpty ? near : "\(prefix).\(near)")?"
      } else if let elsewhere = schema.first(where: { $0.name == part || KeySuggestion.normalized($0.name) == KeySuggestion.normalized(part) }) {
        message += "; did you mean \(elsewhere.path)?"
      }
      return ConfigError(location, key: candidate, message)
    }
    return ConfigError(location, key: path, "unknown key")
  }

  /// A ``ConfigError`` for a YAML syntax error, with Yams's line and column.
  static func error(from e: YamlError, source: String) -> ConfigError {
    switch e {
    case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
      let ctx = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
      return ConfigError(ConfigLocation(source: source, line: mark.line, column: mark.column), key: "", "not valid YAML: \(problem)\(ctx)")
    case let .duplicatedKeysInMapping(duplicates, context):
      return ConfigError(
        ConfigLocation(source: source, line: context.mark.line, column: context.mark.column), key: "",
        "a key is given twice in one mapping: \(duplicates.sorted().joined(separator: ", "))")
    case let .reader(problem, _, _, _):
      return ConfigError(ConfigLocation(source: source), key: "", "cannot read the text: \(problem)")
    default:
      return ConfigError(ConfigLocation(source: source), key: "", "not valid YAML: \(e)")
    }
  }
}
