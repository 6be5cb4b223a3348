import AuxIO
import AuxTestSupport
import Foundation
import Testing

@Suite("File error text")
struct FileErrorTextTests {
  @Test("reading a missing file, a directory or a damaged file names the file and says what is wrong, without Foundation's codes")
  func readErrors() throws {
    let dir = try Fixtures.temporaryDirectory("file-errors")
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = dir.appendingPathComponent("nope.npy")
    let error = try #require(throws: FormatError.self) { _ = try NPY.read(missing) }
    #expect(error.description == "\(missing.path): cannot read file: no such file")

    let folder = dir.appendingPathComponent("folder.safetensors")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let folderError = try #require(throws: FormatError.self) { _ = try Safetensors.read(folder) }
    #expect(folderError.description.hasPrefix("\(folder.path): cannot read file: "))
    #expect(!folderError.description.contains("NSCocoaErrorDomain") && !folderError.description.contains("could not be completed"), "\(folderError)")
  }

  @Test("decoding errors say which field is missing, mistyped or not JSON")
  func decodingErrors() {
    struct Record: Decodable { var status: String; var epochs: Int }
    func text(_ json: String) -> String {
      do {
        _ = try JSONDecoder().decode(Record.self, from: Data(json.utf8))
        return ""
      } catch {
        return FileErrorText.describe(error)
      }
    }
    #expect(text(#"{"epochs": 3}"#) == "missing field 'status'")
    #expect(text(#"{"status": "x", "epochs": "three"}"#) == "field 'epochs' has the wrong type (expected Int)")
    #expect(text(#"{"status": nul"#).hasPrefix("not valid JSON"))
    #expect(!text(#"{"status": nul"#).contains("NSCocoaErrorDomain"))
  }
}
