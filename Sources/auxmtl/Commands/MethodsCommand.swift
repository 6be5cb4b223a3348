import ArgumentParser
import AuxMTL

struct MethodsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "methods",
    abstract: "List the weighting methods, or describe one with its options.",
    discussion: """
      auxmtl methods           every method by kind: name, what it needs, primary-aware ones marked
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
      print("kind: \(d.kind.rawValue); needs: \(d.requirements)\(d.auxiliaryOnly ? "; auxiliary learning only" : "")\(d.primaryAware ? "; primary-aware" : "")\(d.dataParallel ? "; data-parallel" : "")")
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
    let kinds: [MethodKind] = [.lossWeighting, .gradientAggregation, .twoStage]
    for kind in kinds {
      let methods = MethodRegistry.all.filter { $0.kind == kind }
      guard !methods.isEmpty else { continue }
      print("\(kind.rawValue) (\(methods.count))")
      for d in methods {
        let pad = String(repeating: " ", count: width - d.name.count)
        let marks = (d.primaryAware ? " [primary-aware]" : "") + (d.isApproximation ? " [reconstruction]" : "")
        print("  \(d.name)\(pad)  \(d.title)\(marks)")
        print("  \(String(repeating: " ", count: width))    needs \(d.requirements)\(d.auxiliaryOnly ? "; auxiliary learning only" : "")")
      }
      print("")
    }
    print("[primary-aware]: treats primary and auxiliary tasks differently; [reconstruction]: our reconstruction of an underspecified method.")
  }
}
