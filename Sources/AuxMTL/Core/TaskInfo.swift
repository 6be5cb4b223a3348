/// Whether a task is the one we want to be good at, or one that is there to help it.
public enum TaskRole: String, Sendable, Codable, CaseIterable {
  /// A task whose performance is the goal. In the multi-task setting every task is primary.
  case primary
  /// A task trained only to improve the primary task(s).
  case auxiliary
}

/// What a weighting method knows about a task: its name and its role.
public struct TaskInfo: Sendable, Equatable, Hashable, CustomStringConvertible {
  public let name: String
  public let role: TaskRole

  public init(_ name: String, role: TaskRole) {
    self.name = name
    self.role = role
  }

  public var isPrimary: Bool { role == .primary }
  public var description: String { "\(name) (\(role.rawValue))" }
}

extension Array where Element == TaskInfo {
  /// Indices of the primary tasks, in order.
  public var primaryIndices: [Int] { indices.filter { self[$0].isPrimary } }
  /// Indices of the auxiliary tasks, in order.
  public var auxiliaryIndices: [Int] { indices.filter { !self[$0].isPrimary } }
  /// Task names, in order.
  public var names: [String] { map(\.name) }
}
