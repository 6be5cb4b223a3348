import ArgumentParser
import AuxMTL

struct MethodsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "methods",
    abstract: "List the weighting methods, or describe one with its options.",
    discussion: """
      auxmtl methods           every method: name, kind, what it needs
      auxmtl methods ial       one method: paper, summary, options with defaults
      Use a method with --set method.name=<name> and its options with --set method.options.<option>=<value>.
      """)

  @Argument(help: "A method name to describe.") var name: String?

  func run() throws {
    if let name {
      guard let d = MethodRegistry.descriptor(named: name) else {
        throw ValidationError("unknown method '\(name)'; known: \(MethodRegistry.all.map(\.name).joined(separator: ", "))")
      }
      print("\(d.name) — \(d.title)\(d.isApproximation ? " [our reconstruction of an underspecified paper]" : "")")
      print("kind: \(d.kind.rawValue); needs: \(d.requirements)\(d.auxiliaryOnly ? "; auxiliary learning only" : "")")
      print("\n\(d.summary)\n\nReference: \(d.reference)")
      if d.options.isEmpty {
        print("\nNo options.")
      } else {
        print("\nOptions (default):")
        for o in d.options {
          print("  \(o.name) (\(o.defaultValue))\(o.allowed.map { " one of " + $0.joined(separator: "|") } ?? "")")
          print("      \(o.help)")
        }
      }
      return
    }
    let width = MethodRegistry.all.map(\.name.count).max() ?? 4
    for d in MethodRegistry.all {
      let pad = String(repeating: " ", count: width - d.name.count)
      print("\(d.name)\(pad)  \(d.title)")
      print("\(String(repeating: " ", count: width))    \(d.kind.rawValue); needs \(d.requirements)")
    }
  }
}
