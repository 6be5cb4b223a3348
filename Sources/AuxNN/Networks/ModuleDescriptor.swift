/// What a training-time model option is, for documentation and listings: its name, the paper it
/// comes from, what it does, what of it is our reconstruction, and its settings.
public struct ModuleDescriptor: Sendable, Equatable {
  /// One setting: its configuration key, default and meaning.
  public struct Setting: Sendable, Equatable {
    public let key: String
    public let defaultValue: String
    public let meaning: String
    public init(key: String, defaultValue: String, meaning: String) {
      self.key = key
      self.defaultValue = defaultValue
      self.meaning = meaning
    }
  }

  /// A short name (`aux-module-approx`).
  public let name: String
  public let title: String
  /// The paper (authors, venue, arXiv id).
  public let reference: String
  /// What it does, in a few sentences.
  public let summary: String
  /// What the paper leaves out and how we filled it in.
  public let reconstruction: String
  public let settings: [Setting]

  public init(name: String, title: String, reference: String, summary: String, reconstruction: String, settings: [Setting]) {
    self.name = name
    self.title = title
    self.reference = reference
    self.summary = summary
    self.reconstruction = reconstruction
    self.settings = settings
  }
}
