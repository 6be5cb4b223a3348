/// Something a ``Registry`` holds: the name a configuration uses for it, a one-line
/// documentation and the configuration keys it reads.
public protocol RegistryEntry: Sendable {
  /// The name a configuration gives (lower case with dashes, e.g. `multi-fashion`).
  var name: String { get }
  /// One line on what it is, for listings (`auxmtl components`) and docs.
  var summary: String { get }
  /// The configuration keys this entry reads besides its name, with what each means for it.
  var options: [RegistryOption] { get }
}
