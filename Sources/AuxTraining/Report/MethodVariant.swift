import AuxMTL

/// A row of the report: a method with the options it was run with (options at their default
/// values are left out, so runs that recorded every option and runs that recorded none agree).
public struct MethodVariant: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The registry name, or `single-task`.
  public let method: String
  /// Options that differ from the method's defaults.
  public let options: [String: String]

  public init(method: String, options: [String: String]) {
    self.method = method
    let defaults = MethodRegistry.descriptor(named: method).map { Dictionary($0.options.map { ($0.name, $0.defaultValue) }, uniquingKeysWith: { a, _ in a }) } ?? [:]
    self.options = options.filter { defaults[$0.key] != $0.value }
  }

  /// The variant of a run.
  public init(_ record: RunRecord) {
    self.init(method: record.method, options: record.methodOptions)
  }

  /// The single-task baseline.
  public static let singleTask = MethodVariant(method: RunRecord.singleTaskMethod, options: [:])

  public var isSingleTask: Bool { method == RunRecord.singleTaskMethod }

  /// `ial`, or `ial (sign_mask=false)`.
  public var description: String {
    options.isEmpty ? method : "\(method) (\(options.keys.sorted().map { "\($0)=\(options[$0]!)" }.joined(separator: ", ")))"
  }

  /// Registry order (IAL, then the baselines in the order of the paper's tables), then the name,
  /// then the options; the single-task baseline last.
  public static func < (a: MethodVariant, b: MethodVariant) -> Bool {
    func rank(_ v: MethodVariant) -> Int {
      if v.isSingleTask { return Int.max }
      return MethodRegistry.all.firstIndex { $0.name == v.method } ?? MethodRegistry.all.count
    }
    if rank(a) != rank(b) { return rank(a) < rank(b) }
    if a.method != b.method { return a.method < b.method }
    return a.description < b.description
  }
}
