import AuxEngine
import AuxIO
import Foundation

extension Module {
  /// Writes the module's state dict to a safetensors file, atomically, with PyTorch's names and
  /// dtypes (`F32`; integer buffers such as `num_batches_tracked` as `I64` scalars).
  ///
  /// The file loads in PyTorch with `model.load_state_dict(safetensors.torch.load_file(path))`.
  public func saveState(to url: URL, metadata: [String: String] = ["format": "pt"]) throws {
    try Safetensors.write(stateArchive(metadata: metadata), to: url)
  }

  /// Loads parameters and buffers from a safetensors state dict (e.g. a torchvision model's,
  /// saved with `safetensors.torch.save_file(model.state_dict(), path)`).
  ///
  /// Any stored float or integer dtype is accepted and converted to `Float`.
  ///
  /// - Parameters:
  ///   - prefix: only entries whose name starts with `prefix` are used, with the prefix removed
  ///     (`"backbone."` for torchvision's segmentation models, `"encoder."` for a
  ///     ``MultiTaskModel``'s encoder).
  ///   - skipping: entries (after removing `prefix`) starting with one of these are ignored, e.g.
  ///     `["fc."]` to load an ImageNet ResNet into an encoder without classifier.
  ///   - strict: missing and unexpected entries are errors (shape mismatches always are).
  /// - Throws: `FormatError` for an unreadable or malformed file; ``StateDictError`` naming the
  ///   file and listing every missing, unexpected and mis-shaped entry (nothing is loaded then).
  public func loadState(from url: URL, prefix: String = "", skipping: [String] = [], strict: Bool = true) throws {
    let archive = try Safetensors.read(url)
    var state: [String: Tensor] = [:]
    for (name, t) in archive.tensors where name.hasPrefix(prefix) {
      let key = String(name.dropFirst(prefix.count))
      if skipping.contains(where: { key.hasPrefix($0) }) { continue }
      state[key] = t
    }
    try loadStateDict(state, strict: strict, source: url.path + (prefix.isEmpty ? "" : " (entries under '\(prefix)')"))
  }
}
