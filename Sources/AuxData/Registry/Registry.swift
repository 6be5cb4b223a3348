/// The named choices of one configuration key (`dataset.name`, `model.encoder`, …), in the order
/// listings show them.
///
/// A registry is a value: ``standard`` registries (e.g. ``DatasetRegistry/standard``) hold what
/// auxmtl ships, and a program (or a test) adds its own entries to a copy with ``register(_:)``
/// and hands that copy to whatever builds the run. Unknown names, `auxmtl components` and the
/// config schema's allowed values all read ``names``, so no other list of names exists.
///
/// ```swift
/// var datasets = DatasetRegistry.standard
/// try datasets.register(MyDataset.descriptor)
/// let train = try datasets.load(DatasetRequest(name: "my-dataset", split: .train))
/// ```
public struct Registry<Entry: RegistryEntry>: Sendable {
  /// The configuration key whose values this registry names (e.g. `dataset.name`).
  public let key: String
  /// The entries, in listing order.
  public private(set) var entries: [Entry]

  /// A registry of `entries` for the configuration key `key`.
  ///
  /// Names must be unique: the entries are auxmtl's own (or a program's), never user data.
  public init(key: String, _ entries: [Entry]) {
    self.key = key
    self.entries = []
    for e in entries {
      precondition(self.entry(named: e.name) == nil, "Registry(\(key)): '\(e.name)' is registered twice")
      self.entries.append(e)
    }
  }

  /// Every registered name, in listing order.
  public var names: [String] { entries.map(\.name) }

  /// The entry named `name` (exactly), or nil.
  public func entry(named name: String) -> Entry? {
    entries.first { $0.name == name }
  }

  /// "`key`: 'name' is not one of a, b, c" for an unknown name (errors built from it list every
  /// registered name).
  public func unknownName(_ name: String) -> String {
    "\(key): '\(name)' is not one of \(names.joined(separator: ", "))"
  }

  /// Adds `entry` at the end.
  ///
  /// - Throws: ``RegistryError`` when an entry of that name is already registered.
  public mutating func register(_ entry: Entry) throws {
    guard self.entry(named: entry.name) == nil else {
      throw RegistryError("\(key): '\(entry.name)' is already registered (registered: \(names.joined(separator: ", ")))")
    }
    entries.append(entry)
  }
}
