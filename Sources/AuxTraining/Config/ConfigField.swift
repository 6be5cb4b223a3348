import Yams

/// One key of the configuration schema: its full snake_case path, how to read it into a
/// ``TrainConfig`` (with its type and range checks) and how to write it back as YAML.
struct ConfigField {
  /// Full dotted path, e.g. `training.batch_size`.
  let path: String
  /// The expected value, for help texts (`an integer ≥ 1`).
  let expected: String
  /// Reads the value into the configuration; throws a ``ConfigError`` for a bad value.
  let apply: (inout TrainConfig, ConfigNode) throws -> Void
  /// Sets one entry of a mapping field (`method.options.sign_mask=false`); nil for other fields.
  /// A null value removes the entry.
  let applyEntry: ((inout TrainConfig, String, ConfigNode) throws -> Void)?
  /// The field's value as a YAML node.
  let represent: (TrainConfig) -> Node

  /// The last path component (the key within its section).
  var name: String { String(path.split(separator: ".").last ?? "") }
  /// The section path (`training`), empty for top-level keys.
  var section: String {
    guard let dot = path.lastIndex(of: ".") else { return "" }
    return String(path[..<dot])
  }

  // MARK: - Field builders

  static func integer(_ path: String, _ kp: WritableKeyPath<TrainConfig, Int>, _ rule: IntegerRule) -> ConfigField {
    ConfigField(
      path: path, expected: "an integer \(rule.text)",
      apply: { c, n in c[keyPath: kp] = try n.integer(rule) }, applyEntry: nil,
      represent: { YAMLText.plain(String($0[keyPath: kp])) })
  }

  static func unsigned(_ path: String, _ kp: WritableKeyPath<TrainConfig, UInt64>) -> ConfigField {
    ConfigField(
      path: path, expected: "a whole number ≥ 0",
      apply: { c, n in c[keyPath: kp] = try n.unsigned() }, applyEntry: nil,
      represent: { YAMLText.plain(String($0[keyPath: kp])) })
  }

  static func number(_ path: String, _ kp: WritableKeyPath<TrainConfig, Double>, _ rule: NumberRule) -> ConfigField {
    ConfigField(
      path: path, expected: "a number \(rule.text)",
      apply: { c, n in c[keyPath: kp] = try n.number(rule) }, applyEntry: nil,
      represent: { YAMLText.plain(YAMLText.number($0[keyPath: kp])) })
  }

  static func optionalNumber(_ path: String, _ kp: WritableKeyPath<TrainConfig, Double?>, _ rule: NumberRule) -> ConfigField {
    ConfigField(
      path: path, expected: "a number \(rule.text), or null",
      apply: { c, n in c[keyPath: kp] = n.isNull ? nil : try n.number(rule) }, applyEntry: nil,
      represent: { c in c[keyPath: kp].map { YAMLText.plain(YAMLText.number($0)) } ?? YAMLText.null })
  }

  static func boolean(_ path: String, _ kp: WritableKeyPath<TrainConfig, Bool>) -> ConfigField {
    ConfigField(
      path: path, expected: "true or false",
      apply: { c, n in c[keyPath: kp] = try n.boolean() }, applyEntry: nil,
      represent: { YAMLText.plain($0[keyPath: kp] ? "true" : "false") })
  }

  static func text(_ path: String, _ kp: WritableKeyPath<TrainConfig, String>, check: ((ConfigNode, String) throws -> Void)? = nil) -> ConfigField {
    ConfigField(
      path: path, expected: "text",
      apply: { c, n in
        let v = try n.text()
        try check?(n, v)
        c[keyPath: kp] = v
      }, applyEntry: nil,
      represent: { YAMLText.string($0[keyPath: kp]) })
  }

  static func optionalText(_ path: String, _ kp: WritableKeyPath<TrainConfig, String?>) -> ConfigField {
    ConfigField(
      path: path, expected: "text, or null",
      apply: { c, n in c[keyPath: kp] = try n.optionalText() }, applyEntry: nil,
      represent: { c in c[keyPath: kp].map(YAMLText.string) ?? YAMLText.null })
  }

  static func choice(_ path: String, _ kp: WritableKeyPath<TrainConfig, String>, _ allowed: [String]) -> ConfigField {
    ConfigField(
      path: path, expected: "one of \(allowed.joined(separator: ", "))",
      apply: { c, n in c[keyPath: kp] = try n.choice(allowed) }, applyEntry: nil,
      represent: { YAMLText.string($0[keyPath: kp]) })
  }

  static func textList(_ path: String, _ kp: WritableKeyPath<TrainConfig, [String]>) -> ConfigField {
    ConfigField(
      path: path, expected: "a name or a list of names",
      apply: { c, n in c[keyPath: kp] = try n.textList() }, applyEntry: nil,
      represent: { YAMLText.list($0[keyPath: kp]) })
  }

  static func optionalTextList(_ path: String, _ kp: WritableKeyPath<TrainConfig, [String]?>) -> ConfigField {
    ConfigField(
      path: path, expected: "a name or a list of names, or null",
      apply: { c, n in c[keyPath: kp] = try n.optionalTextList() }, applyEntry: nil,
      represent: { c in c[keyPath: kp].map(YAMLText.list) ?? YAMLText.null })
  }

  static func textMap(_ path: String, _ kp: WritableKeyPath<TrainConfig, [String: String]>) -> ConfigField {
    ConfigField(
      path: path, expected: "a mapping of names to values",
      apply: { c, n in c[keyPath: kp] = try n.textMap() },
      applyEntry: { c, name, n in
        if n.isNull {
          c[keyPath: kp][name] = nil
        } else {
          guard case .scalar = n.node else { throw n.typeError(expected: "a single value") }
          c[keyPath: kp][name] = try n.optionText()
        }
      },
      represent: { YAMLText.map($0[keyPath: kp]) })
  }
}
