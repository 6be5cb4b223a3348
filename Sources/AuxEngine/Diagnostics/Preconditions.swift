/// Precondition checks whose messages survive optimised builds.
///
/// The standard library's `precondition` and `preconditionFailure` drop their message in `-O`
/// builds: the program traps with "Illegal instruction" and nothing names the op or the shapes
/// (measured with Swift 6.3.1 on Linux). auxmtl is always built in release, and its shape errors are
/// meant to be read, so these two public functions shadow the standard ones in AuxEngine and in
/// every module that imports it (a declaration of an imported module shadows the standard
/// library's), and stop through `fatalError`, which always prints `file:line: Fatal error: <message>`.
///
/// Call sites are unchanged (`precondition(cond, "op: … shapes \(a) and \(b)")`); the message is
/// only built when the check fails, so the cost in a passing check is the same compare-and-branch.

/// Stops the program with `message` (printed in every build mode) when `condition` is false.
@inline(__always)
public func precondition(
  _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
  file: StaticString = #fileID, line: UInt = #line
) {
  if _slowPath(!condition()) { fatalError(message(), file: file, line: line) }
}

/// Stops the program with `message`, printed in every build mode.
public func preconditionFailure(_ message: @autoclosure () -> String = String(), file: StaticString = #fileID, line: UInt = #line) -> Never {
  fatalError(message(), file: file, line: line)
}
