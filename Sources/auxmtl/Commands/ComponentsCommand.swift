import ArgumentParser
import AuxTraining

struct ComponentsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "components",
    abstract: "List the datasets, encoders, heads, optimisers and schedules a config can name.",
    discussion: """
      auxmtl components                 every registered name of dataset.name, model.encoder, model.head,
                                        optimizer.name and schedule.name, with the keys each reads
      auxmtl components model.encoder   one key's names
      Weighting methods (method.name) are listed by `auxmtl methods`.
      """)

  @Argument(help: "A configuration key (dataset.name, model.encoder, model.head, optimizer.name, schedule.name).")
  var key: String?

  func run() throws {
    do {
      print(try RunRegistries.standard.listing(key: key), terminator: "")
    } catch let e as TrainingError {
      throw ValidationError(e.message)
    }
  }
}
