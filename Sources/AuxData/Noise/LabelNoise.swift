/// Controlled noise on one task's labels, to measure how a method copes with bad auxiliary
/// labels (the IAL paper's robustness claim, as a curve of the primary's metric against the rate).
///
/// Written `<kind>:<rate>` (or `blocks:<rate>:<block size>`), e.g. `gaussian:0.3`, `flip:0.2`,
/// `blocks:0.25:8`:
///
/// | kind | labels | what happens |
/// | --- | --- | --- |
/// | `gaussian` | dense regression, unit vectors | every valid value gets `N(0, (rate·s)²)` added, `s` the standard deviation of the sample's valid values (unit vectors: `s = 1` per component, then renormalised) |
/// | `flip` | class indices, dense class maps | each label (each valid pixel of a map) is, with probability `rate`, replaced by a class drawn uniformly from the *other* classes (symmetric label noise); ignored pixels stay ignored |
/// | `blocks` | any dense map | the map is tiled into `size × size` blocks (default 8); each block is corrupted with probability `rate`: a class map gets one random class over the block, a regression map one value drawn uniformly between the sample's smallest and largest valid value, a unit-vector map one random unit vector; ignored pixels and masks are left as they are |
///
/// The noise is a fixed property of each sample (a noisy annotation, not fresh noise each epoch):
/// it is drawn from a generator seeded by the run's seed, the task's name and the sample's index,
/// so it does not depend on the order or the thread in which samples are loaded.
public struct LabelNoise: Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable, CaseIterable {
    case gaussian, flip, blocks
  }

  public var kind: Kind
  /// In [0, 1]: the noise's standard deviation relative to the labels' (`gaussian`), the
  /// probability that a label flips (`flip`) or that a block is corrupted (`blocks`).
  public var rate: Double
  /// Block side in pixels (`blocks`).
  public var blockSize: Int

  public init(kind: Kind, rate: Double, blockSize: Int = 8) {
    self.kind = kind
    self.rate = rate
    self.blockSize = blockSize
  }

  /// `gaussian:0.3`, `blocks:0.25:8`.
  public var description: String {
    kind == .blocks ? "blocks:\(Self.format(rate)):\(blockSize)" : "\(kind.rawValue):\(Self.format(rate))"
  }

  static func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
  }

  /// Parses `<kind>:<rate>[:<block size>]`.
  ///
  /// - Throws: ``DatasetError`` saying what was expected and what was found.
  public init(parsing text: String) throws {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
    let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
    guard let first = parts.first, let kind = Kind(rawValue: first) else {
      throw DatasetError("label noise '\(text)': expected <kind>:<rate> with kind one of \(kinds) (e.g. flip:0.2, gaussian:0.3, blocks:0.25:8)")
    }
    guard parts.count == 2 || (kind == .blocks && parts.count == 3) else {
      throw DatasetError("label noise '\(text)': expected \(kind == .blocks ? "blocks:<rate> or blocks:<rate>:<block size>" : "\(kind.rawValue):<rate>")")
    }
    guard let rate = Double(parts[1]), rate.isFinite, (0...1).contains(rate) else {
      throw DatasetError("label noise '\(text)': the rate must be a number in [0, 1]; found '\(parts[1])'")
    }
    var size = 8
    if parts.count == 3 {
      guard let s = Int(parts[2]), s >= 1 else {
        throw DatasetError("label noise '\(text)': the block size must be a whole number ≥ 1; found '\(parts[2])'")
      }
      size = s
    }
    self.init(kind: kind, rate: rate, blockSize: size)
  }

  /// Whether this kind of noise applies to labels of `kind`; the error says which kinds do.
  public func check(for task: TaskLabelSpec) throws {
    let ok: Bool
    switch (self.kind, task.kind) {
    case (.gaussian, .denseRegression), (.gaussian, .unitVector): ok = true
    case (.flip, .classIndex), (.flip, .denseClass): ok = true
    case (.blocks, let k): ok = k.isDense
    default: ok = false
    }
    guard ok else {
      let fits = switch kind {
      case .gaussian: "regression and unit-vector maps"
      case .flip: "class labels and class maps"
      case .blocks: "dense maps"
      }
      throw DatasetError("label noise \(description) on task '\(task.name)': \(kind.rawValue) noise applies to \(fits), and '\(task.name)' has \(task.kind)")
    }
  }
}
