import Foundation

extension FashionMNISTTaskSet {
  /// `fashion`: Fashion-MNIST's task set (class, rotation, denoising; see ``FashionMNISTTaskSet``).
  public static let descriptor = DatasetDescriptor(
    name: "fashion", summary: "Fashion-MNIST task set: item, group, rotation, denoise (docs/data.md)",
    options: [RegistryOption("dataset.path", "folder holding the Fashion-MNIST IDX files (else the search path)")]
  ) { request, environment in
    let files = try FashionMNISTFiles.load(dataDirectory: request.dataDirectory, environment: environment)
    var options = request.fashion
    options.seed = request.seed
    return .single(try FashionMNISTTaskSet(
      files: files, split: FashionMNISTSplit(request.split, seed: request.seed, limit: request.limit), options: options))
  }
}

extension MultiFashionDataset {
  /// `multi-fashion`: pairs of Fashion-MNIST images, one class task per side.
  public static let descriptor = DatasetDescriptor(
    name: "multi-fashion", summary: "Multi-Fashion-MNIST: two overlaid items, one class task each (docs/data.md)",
    options: [RegistryOption("dataset.path", "folder holding the Fashion-MNIST IDX files (else the search path)")]
  ) { request, environment in
    let files = try FashionMNISTFiles.load(dataDirectory: request.dataDirectory, environment: environment)
    return .single(MultiFashionDataset(
      files: files, split: FashionMNISTSplit(request.split, seed: request.seed, limit: request.limit), seed: request.seed))
  }
}
