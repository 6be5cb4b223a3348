import AuxEngine

/// A network component that owns named parameters, buffers and child modules.
///
/// Subclasses create their parameters and children in `init`, then register them under the names
/// PyTorch would use, so that state dicts, checkpoints and parameter groups use PyTorch's dotted
/// names (`layer1.0.conv1.weight`):
///
/// ```swift
/// final class Affine: Module, Layer {
///   let weight: Parameter
///   init(features: Int) {
///     weight = Parameter(Tensor.ones([features]))
///     super.init()
///     registerParameter("weight", weight)
///   }
///   func callAsFunction(_ x: Tensor) -> Tensor { x * weight.value }
/// }
/// ```
///
/// Modules are reference types confined to the thread that trains them.
open class Module {
  /// Whether the module is in training mode (batch norm uses batch statistics, dropout drops).
  public private(set) var isTraining = true
  private var ownParameters: [(String, Parameter)] = []
  private var ownBuffers: [(String, Buffer)] = []
  private var ownChildren: [(String, Module)] = []

  public init() {}

  // MARK: Registration

  /// Registers a parameter under `name` (no dots).
  @discardableResult
  public func registerParameter(_ name: String, _ parameter: Parameter) -> Parameter {
    checkName(name)
    ownParameters.append((name, parameter))
    return parameter
  }

  /// Registers a buffer under `name` (no dots).
  @discardableResult
  public func registerBuffer(_ name: String, _ buffer: Buffer) -> Buffer {
    checkName(name)
    ownBuffers.append((name, buffer))
    return buffer
  }

  /// Registers a child module under `name` (no dots); its entries are prefixed with `name.`.
  @discardableResult
  public func registerModule<M: Module>(_ name: String, _ module: M) -> M {
    checkName(name)
    module.setTraining(isTraining)
    ownChildren.append((name, module))
    return module
  }

  private func checkName(_ name: String) {
    precondition(!name.isEmpty && !name.contains("."), "Module: entry name '\(name)' must be non-empty and contain no '.'")
    precondition(
      !ownParameters.contains { $0.0 == name } && !ownBuffers.contains { $0.0 == name } && !ownChildren.contains { $0.0 == name },
      "Module \(type(of: self)): an entry named '\(name)' is already registered")
  }

  // MARK: Traversal

  /// Direct children with their names.
  public var namedChildren: [(String, Module)] { ownChildren }

  /// Every parameter of this module and its descendants, with dotted names, in registration order.
  public func namedParameters(prefix: String = "") -> [(String, Parameter)] {
    var out = ownParameters.map { (prefix + $0.0, $0.1) }
    for (name, child) in ownChildren {
      out += child.namedParameters(prefix: prefix + name + ".")
    }
    return out
  }

  /// Every parameter, in registration order.
  public func parameters() -> [Parameter] { namedParameters().map(\.1) }

  /// Parameters whose dotted name starts with `prefix` (e.g. `"encoder."`).
  public func parameters(withPrefix prefix: String) -> [Parameter] {
    namedParameters().filter { $0.0.hasPrefix(prefix) }.map(\.1)
  }

  /// Every buffer of this module and its descendants, with dotted names.
  public func namedBuffers(prefix: String = "") -> [(String, Buffer)] {
    var out = ownBuffers.map { (prefix + $0.0, $0.1) }
    for (name, child) in ownChildren {
      out += child.namedBuffers(prefix: prefix + name + ".")
    }
    return out
  }

  /// This module and every descendant, with dotted names (this module has the name `prefix`).
  public func namedModules(prefix: String = "") -> [(String, Module)] {
    var out: [(String, Module)] = [(prefix, self)]
    for (name, child) in ownChildren {
      out += child.namedModules(prefix: prefix.isEmpty ? name : prefix + "." + name)
    }
    return out
  }

  /// Number of scalar parameters.
  public var parameterCount: Int { parameters().reduce(0) { $0 + $1.value.count } }

  // MARK: Modes and gradients

  /// Switches this module and its descendants to training (`true`) or evaluation mode.
  public func train(_ on: Bool = true) { setTraining(on) }
  /// Switches to evaluation mode.
  public func eval() { setTraining(false) }

  private func setTraining(_ on: Bool) {
    isTraining = on
    for (_, c) in ownChildren { c.setTraining(on) }
  }

  /// Clears every parameter's gradient.
  public func zeroGrad() {
    for p in parameters() { p.zeroGrad() }
  }
}

/// A module with one input and one output.
public protocol Layer: Module {
  /// Applies the layer.
  func callAsFunction(_ input: Tensor) -> Tensor
}
