/// A registration that would make a ``Registry`` ambiguous (two entries of one name).
public struct RegistryError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
