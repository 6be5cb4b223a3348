/// A collective operation that could not run: a bad argument (a root outside the group) or a
/// failure reported by the transport (MPI's error string).
public struct CommunicatorError: Error, CustomStringConvertible, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
