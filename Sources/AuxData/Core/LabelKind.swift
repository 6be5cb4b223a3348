/// What a task's label is, which decides its loss, its metrics and how augmentation treats it.
public enum LabelKind: Sendable, Equatable, CustomStringConvertible {
  /// One class index per sample, `0..<classes` (stored as a `[1]` Float tensor holding a whole number).
  case classIndex(classes: Int)
  /// A class per pixel, `[H, W]`, values `0..<classes` or `ignoreIndex`.
  case denseClass(classes: Int, ignoreIndex: Int)
  /// A real value per pixel, `[channels, H, W]`, with a validity mask `[1, H, W]` (1 = valid).
  case denseRegression(channels: Int)
  /// A unit vector per pixel, `[3, H, W]` (e.g. surface normals, x right, y down, z towards the
  /// camera), with a validity mask `[1, H, W]`. Horizontal flips negate the x component.
  case unitVector
  /// A probability distribution over classes per sample, `[classes]`.
  case softLabel(classes: Int)

  /// Whether the label is an image-shaped map that spatial augmentation must transform too.
  public var isDense: Bool {
    switch self {
    case .denseClass, .denseRegression, .unitVector: true
    case .classIndex, .softLabel: false
    }
  }

  public var description: String {
    switch self {
    case .classIndex(let c): "class index (\(c) classes)"
    case .denseClass(let c, let ig): "dense class map (\(c) classes, ignore \(ig))"
    case .denseRegression(let ch): "dense regression (\(ch) channels, masked)"
    case .unitVector: "unit-vector map (masked)"
    case .softLabel(let c): "soft label (\(c) classes)"
    }
  }
}

/// A task as a dataset describes it: its name and the kind of its label.
public struct TaskLabelSpec: Sendable, Equatable {
  public let name: String
  public let kind: LabelKind
  /// For dense-regression tasks, which errors to report (depth-like by default).
  public let regressionMetrics: RegressionMetricFamily
  public init(name: String, kind: LabelKind, regressionMetrics: RegressionMetricFamily = .depth) {
    self.name = name
    self.kind = kind
    self.regressionMetrics = regressionMetrics
  }
}
