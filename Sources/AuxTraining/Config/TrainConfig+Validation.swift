import AuxData
import AuxMTL

extension TrainConfig {
  /// Checks the values that the schema cannot check one by one: every field's own rules (type,
  /// allowed values, range) and how fields combine.
  ///
  /// - `tasks.primary` is a non-empty list of distinct names, or `all` alone;
  /// - `tasks.auxiliary` has distinct names, none of them primary, and is empty or null when every
  ///   task is primary;
  /// - `method.name` is a registered method or `single-task`; auxiliary-only methods (IAL, GCS,
  ///   OL-AUX) need an auxiliary task; `single-task` trains exactly one named primary task with no
  ///   auxiliary task and takes no options;
  /// - `method.options` names options the method declares, and choice options have an allowed
  ///   value (other values are checked by the method when it is made);
  /// - `tasks.noise` values parse as label noise (`<kind>:<rate>`) and name no primary task;
  ///   `model.frozen_heads` has distinct names;
  /// - names (`dataset.name`, `model.encoder`, …) are registered in `registries`, and the
  ///   schedule's own check passes (the cosine schedule's `min_learning_rate` is below
  ///   `optimizer.learning_rate`).
  ///
  /// Task names themselves are checked by the trainer against the loaded dataset.
  ///
  /// - Throws: ``ConfigError`` naming the key and the allowed values.
  public func validate(registries: RunRegistries = .standard) throws {
    try validate(origins: [:], registries: registries)
  }

  func validate(origins: [String: ConfigLocation], registries: RunRegistries = .standard) throws {
    func fail(_ key: String, _ message: String) -> ConfigError {
      ConfigError(origins[key] ?? ConfigLocation(source: "configuration"), key: key, message)
    }

    // Single values (a config built in code skips the loader's checks).
    for field in TrainConfig.schema(registries) {
      var scratch = self
      do {
        try field.apply(&scratch, ConfigNode(field.represent(self), key: field.path, source: "configuration"))
      } catch let e as ConfigError {
        throw fail(field.path, e.message)
      }
    }

    // Tasks.
    let primary = tasks.primary
    if primary.isEmpty { throw fail("tasks.primary", "needs at least one task name, or \(TrainConfig.allTasks) for the multi-task setting") }
    if let dup = firstDuplicate(primary) { throw fail("tasks.primary", "lists '\(dup)' twice") }
    let everyTaskPrimary = primary.contains(TrainConfig.allTasks)
    if everyTaskPrimary && primary.count > 1 {
      throw fail("tasks.primary", "'\(TrainConfig.allTasks)' (every task is primary) cannot be combined with task names; found \(primary)")
    }
    if let aux = tasks.auxiliary {
      if let dup = firstDuplicate(aux) { throw fail("tasks.auxiliary", "lists '\(dup)' twice") }
      if aux.contains(TrainConfig.allTasks) {
        throw fail("tasks.auxiliary", "'\(TrainConfig.allTasks)' is only allowed in tasks.primary; leave tasks.auxiliary null for every task that is not primary")
      }
      if everyTaskPrimary && !aux.isEmpty {
        throw fail("tasks.auxiliary", "must be empty or null when tasks.primary is '\(TrainConfig.allTasks)'; found \(aux)")
      }
      if let both = aux.first(where: primary.contains) {
        throw fail("tasks.auxiliary", "'\(both)' is also primary; a task is either primary or auxiliary")
      }
    }
    if let empty = tasks.mainMetric.first(where: { $0.value.isEmpty }) {
      throw fail("tasks.main_metric", "task '\(empty.key)' has an empty metric name")
    }

    // Label noise and frozen heads (task names are checked against the dataset by the trainer).
    for (task, text) in tasks.labelNoise.sorted(by: { $0.key < $1.key }) {
      do {
        _ = try LabelNoise(parsing: text)
      } catch let e as DatasetError {
        throw fail("tasks.noise", "task '\(task)': \(e.message)")
      }
      if everyTaskPrimary || primary.contains(task) {
        throw fail("tasks.noise", "'\(task)' is primary; label noise is for auxiliary tasks (the primary's labels measure the result)")
      }
    }
    if let fraction = tasks.primaryLabelFraction, fraction < 1, everyTaskPrimary {
      throw fail("tasks.primary_label_fraction", "needs named primary tasks: with tasks.primary '\(TrainConfig.allTasks)' every task would lose its labels; found \(fraction)")
    }
    if let dup = firstDuplicate(model.frozen) { throw fail("model.frozen_heads", "lists '\(dup)' twice") }

    // Pseudo-labelled tasks.
    for (name, p) in tasks.pseudoTasks.sorted(by: { $0.key < $1.key }) {
      let key = "tasks.pseudo"
      if name == TrainConfig.allTasks || name.isEmpty { throw fail(key, "'\(name)' cannot name a task") }
      if everyTaskPrimary || primary.contains(name) {
        throw fail(key, "'\(name)' is primary; pseudo labels make auxiliary tasks (the primary's labels measure the result)")
      }
      switch (p.teacher, p.labels) {
      case (nil, nil): throw fail(key, "task '\(name)': give a teacher (a run folder of auxmtl train) or labels (a folder of precomputed NPY files)")
      case (.some, .some): throw fail(key, "task '\(name)': give either teacher or labels, not both")
      case (.some, nil):
        if p.task == nil { throw fail(key, "task '\(name)': teacher needs task, the teacher's task whose head makes the labels") }
        if p.classes != nil { throw fail(key, "task '\(name)': classes is for precomputed hard labels; a teacher's head gives its own number of classes") }
      case (nil, .some):
        if p.task != nil { throw fail(key, "task '\(name)': task names a teacher's head; precomputed labels have none") }
        if p.kind == "hard" && p.classes == nil { throw fail(key, "task '\(name)': precomputed hard labels need classes, the number of classes of the maps") }
        if p.kind != "hard" && p.classes != nil { throw fail(key, "task '\(name)': classes is only for kind hard (found kind \(p.kind))") }
      }
      if p.kind != "hard" && p.threshold > 0 {
        throw fail(key, "task '\(name)': threshold is for kind hard (pixels below it are ignored); found kind \(p.kind) with threshold \(p.threshold)")
      }
    }

    // Method.
    if method.name == RunRecord.singleTaskMethod {
      if everyTaskPrimary || primary.count != 1 {
        throw fail("tasks.primary", "method single-task trains exactly one task; found \(primary)")
      }
      if let aux = tasks.auxiliary, !aux.isEmpty {
        throw fail("tasks.auxiliary", "method single-task trains no auxiliary task; set tasks.auxiliary to [] (found \(aux))")
      }
      if !method.options.isEmpty {
        throw fail("method.options", "method single-task has no options; found \(method.options.keys.sorted().joined(separator: ", "))")
      }
    } else if let descriptor = MethodRegistry.descriptor(named: method.name), descriptor.name == method.name {
      if descriptor.auxiliaryOnly && (everyTaskPrimary || tasks.auxiliary?.isEmpty == true) {
        throw fail("method.name", "\(descriptor.name) is an auxiliary-learning method: it needs at least one auxiliary task (tasks.primary is \(primary), tasks.auxiliary is \(tasks.auxiliary.map { "\($0)" } ?? "null"))")
      }
      let specs = Dictionary(descriptor.options.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
      for (name, value) in method.options.sorted(by: { $0.key < $1.key }) {
        guard let spec = specs[name] else {
          let known = descriptor.options.map(\.name)
          var message = "\(descriptor.name) has no option '\(name)'; its options: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
          if let near = KeySuggestion.closest(to: name, in: known) { message += "; did you mean \(near)?" }
          throw fail("method.options", message)
        }
        if let allowed = spec.allowed, !allowed.contains(value) {
          throw fail("method.options", "\(descriptor.name) option '\(name)' must be one of \(allowed.joined(separator: ", ")); found '\(value)'")
        }
      }
    } else {
      throw fail("method.name", "must be one of \(TrainConfig.methodNames.joined(separator: ", ")); found '\(method.name)'")
    }

    // Schedule.
    if let problem = registries.schedules.entry(named: schedule.name)?.check(self) {
      throw fail(problem.key, problem.message)
    }
  }

  private func firstDuplicate(_ items: [String]) -> String? {
    var seen: Set<String> = []
    for i in items where !seen.insert(i).inserted { return i }
    return nil
  }
}
