import AuxEngine
import AuxIO

/// A state dict that does not fit a module: every missing, unexpected and mis-shaped entry is
/// listed.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
  /// Entries the module has but the state dict lacks.
  public var missing: [String] = []
  /// Entries the state dict has but the module lacks.
  public var unexpected: [String] = []
  /// Entries whose shapes differ: name, expected (module), found (state dict).
  public var mismatched: [(String, [Int], [Int])] = []
  /// Where the state dict came from (a file path), if known.
  public var source: String?

  public init(missing: [String] = [], unexpected: [String] = [], mismatched: [(String, [Int], [Int])] = [], source: String? = nil) {
    self.missing = missing
    self.unexpected = unexpected
    self.mismatched = mismatched
    self.source = source
  }

  public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && mismatched.isEmpty }

  public var description: String {
    var lines = ["state dict\(source.map { " from \($0)" } ?? "") does not match the model:"]
    if !missing.isEmpty { lines.append("  missing (\(missing.count)): \(missing.joined(separator: ", "))") }
    if !unexpected.isEmpty { lines.append("  unexpected (\(unexpected.count)): \(unexpected.joined(separator: ", "))") }
    for (n, e, f) in mismatched { lines.append("  shape mismatch: \(n) expected \(e), found \(f)") }
    return lines.joined(separator: "\n")
  }

  public static func == (a: StateDictError, b: StateDictError) -> Bool { a.description == b.description }
}

extension Module {
  /// Parameters and buffers by dotted name (PyTorch's `state_dict()`), values detached.
  public func stateDict() -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (n, p) in namedParameters() { out[n] = p.value.detached() }
    for (n, b) in namedBuffers() { out[n] = b.value }
    return out
  }

  /// The state dict as a safetensors archive with PyTorch's dtypes (integer buffers as `I64`).
  public func stateArchive(metadata: [String: String] = ["format": "pt"]) -> SafetensorsArchive {
    var archive = SafetensorsArchive(metadata: metadata)
    for (n, p) in namedParameters() {
      archive.tensors[n] = p.value.detached()
      archive.dtypes[n] = .f32
    }
    for (n, b) in namedBuffers() {
      archive.tensors[n] = b.value
      archive.dtypes[n] = b.storedAsInteger ? .i64 : .f32
    }
    return archive
  }

  /// Loads parameters and buffers from `state`.
  ///
  /// - Parameters:
  ///   - strict: when true, missing and unexpected names are errors; shape mismatches always are.
  ///   - source: a description of where `state` came from, for the error message.
  /// - Throws: ``StateDictError`` listing every problem; nothing is modified in that case.
  public func loadStateDict(_ state: [String: Tensor], strict: Bool = true, source: String? = nil) throws {
    var error = StateDictError(source: source)
    let params = namedParameters()
    let buffers = namedBuffers()
    var known = Set<String>()
    for (n, p) in params {
      known.insert(n)
      guard let t = state[n] else {
        error.missing.append(n)
        continue
      }
      if t.shape != p.shape { error.mismatched.append((n, p.shape, t.shape)) }
    }
    for (n, b) in buffers {
      known.insert(n)
      guard let t = state[n] else {
        error.missing.append(n)
        continue
      }
      if t.shape != b.value.shape { error.mismatched.append((n, b.value.shape, t.shape)) }
    }
    error.unexpected = state.keys.filter { !known.contains($0) }.sorted()
    if !error.mismatched.isEmpty || (strict && !error.isEmpty) { throw error }
    for (n, p) in params { if let t = state[n] { p.assign(t) } }
    for (n, b) in buffers { if let t = state[n] { b.value = t.detached() } }
  }
}
