extension NYUv2Dataset {
  /// `nyuv2`: the MTAN NPY layout under `<data>/nyuv2` (or `<data>` itself), MTAN's augmentation.
  public static let descriptor = DatasetDescriptor(
    name: "nyuv2", summary: "NYUv2 (MTAN layout): 13-class segmentation, depth, normals; no validation split",
    options: [RegistryOption("dataset.path", "folder holding train/ and val/ (or its parent with nyuv2/)")],
    augmentation: { _ in .mtanNYUv2 }
  ) { request, environment in
    let root = try request.dataRoot("nyuv2", marker: "train", environment: environment)
    return .single(request.limited(try NYUv2Dataset(root: root, split: request.split, imageNormalization: request.denseImageNormalization)))
  }
}
