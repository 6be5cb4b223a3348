import Yams

extension ConfigField {
  /// `tasks.pseudo`: a mapping from new task names to ``TrainConfig/PseudoTaskConfig`` entries
  /// (each a mapping of `teacher`, `labels`, `task`, `kind`, `threshold`, `classes`). One entry
  /// can be set from the command line as a flow mapping
  /// (`tasks.pseudo.teacher_semantic={teacher: runs/t/ew-semantic-s100, task: semantic}`); an
  /// empty value removes it.
  static func pseudoTasks(_ path: String, _ kp: WritableKeyPath<TrainConfig, [String: TrainConfig.PseudoTaskConfig]>) -> ConfigField {
    ConfigField(
      path: path, expected: "a mapping of task names to pseudo-label settings",
      apply: { c, n in
        if n.isNull {
          c[keyPath: kp] = [:]
          return
        }
        guard case .mapping(let m) = n.node else { throw n.typeError(expected: "a mapping of task names to pseudo-label settings") }
        var out: [String: TrainConfig.PseudoTaskConfig] = [:]
        for (k, v) in m {
          let name = try ConfigNode(k, key: path, source: n.source).text()
          out[name] = try pseudoTask(ConfigNode(v, key: "\(path).\(name)", source: n.source))
        }
        c[keyPath: kp] = out
      },
      applyEntry: { c, name, n in
        c[keyPath: kp][name] = n.isNull ? nil : try pseudoTask(n)
      },
      represent: { c in
        let entries = c[keyPath: kp]
        let pairs = entries.keys.sorted().map { name -> (Node, Node) in
          let e = entries[name]!
          let fields: [(String, Node)] = [
            ("teacher", e.teacher.map(YAMLText.string) ?? YAMLText.null),
            ("labels", e.labels.map(YAMLText.string) ?? YAMLText.null),
            ("task", e.task.map(YAMLText.string) ?? YAMLText.null),
            ("kind", YAMLText.string(e.kind)),
            ("threshold", YAMLText.plain(YAMLText.number(e.threshold))),
            ("classes", e.classes.map { YAMLText.plain(String($0)) } ?? YAMLText.null),
          ]
          return (YAMLText.string(name), Node(fields.map { (YAMLText.plain($0.0), $0.1) }, .implicit, .flow))
        }
        return Node(pairs, .implicit, pairs.isEmpty ? .flow : .block)
      })
  }

  /// One `tasks.pseudo` entry, strictly: unknown keys are refused with the allowed ones.
  private static func pseudoTask(_ n: ConfigNode) throws -> TrainConfig.PseudoTaskConfig {
    guard case .mapping(let m) = n.node else {
      throw n.typeError(expected: "a mapping with keys \(TrainConfig.PseudoTaskConfig.keys.joined(separator: ", "))")
    }
    var e = TrainConfig.PseudoTaskConfig()
    for (k, v) in m {
      let key = try ConfigNode(k, key: n.key, source: n.source).text()
      let value = ConfigNode(v, key: "\(n.key).\(key)", source: n.source)
      switch key {
      case "teacher": e.teacher = try value.optionalText()
      case "labels": e.labels = try value.optionalText()
      case "task": e.task = try value.optionalText()
      case "kind": e.kind = try value.choice(TrainConfig.PseudoTaskConfig.kinds)
      case "threshold": e.threshold = try value.number(.unitHalfOpen)
      case "classes": e.classes = value.isNull ? nil : try value.integer(.atLeast(2))
      default:
        let allowed = TrainConfig.PseudoTaskConfig.keys
        var message = "unknown key '\(key)'; allowed keys in a pseudo task: \(allowed.joined(separator: ", "))"
        if let near = KeySuggestion.closest(to: key, in: allowed) { message += "; did you mean \(near)?" }
        throw value.error(message)
      }
    }
    return e
  }
}
