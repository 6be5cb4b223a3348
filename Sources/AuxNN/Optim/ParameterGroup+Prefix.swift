import AuxEngine

extension ParameterGroup {
  /// A group of the parameters of `module` whose dotted names start with `prefix`, named by their
  /// full dotted names (as in `module.named_parameters()` filtered by prefix in PyTorch).
  ///
  /// The IAL reference code, for example, trains the encoder, the heads and its own weights in
  /// separate groups:
  ///
  /// ```swift
  /// let adam = Adam([
  ///   ParameterGroup(name: "encoder", module: model, prefix: "encoder.", learningRate: 1e-4),
  ///   ParameterGroup(name: "heads", module: model, prefix: "heads.", learningRate: 1e-4),
  ///   ParameterGroup(name: "method", parameters: method.parameters, learningRate: 1e-4),
  /// ])
  /// ```
  ///
  /// Stops the program when no parameter matches (a mistyped prefix), naming the module's
  /// top-level entries.
  public init(name: String, module: Module, prefix: String, learningRate: Float, weightDecay: Float = 0) {
    let selected = module.namedParameters().filter { $0.0.hasPrefix(prefix) }
    precondition(
      !selected.isEmpty,
      "ParameterGroup '\(name)': no parameter of \(type(of: module)) starts with '\(prefix)' (its entries: \(module.namedChildren.map(\.0).joined(separator: ", ")))")
    self.init(
      name: name, parameters: selected.map { (name: $0.0, parameter: $0.1) }, learningRate: learningRate, weightDecay: weightDecay)
  }
}
