extension CityscapesDataset {
  /// `cityscapes`: the Auto-Lambda layout under `<data>/cityscapes` (or `<data>` itself),
  /// Auto-Lambda's augmentation.
  public static let descriptor = DatasetDescriptor(
    name: "cityscapes", summary: "Cityscapes (Auto-Lambda layout): segmentation, part segmentation, disparity; no validation split",
    options: [RegistryOption("dataset.path", "folder holding train/ and val/ (or its parent with cityscapes/)")],
    augmentation: { _ in .autoLambdaCityscapes }
  ) { request, environment in
    let root = try request.dataRoot("cityscapes", marker: "train", environment: environment)
    return .single(request.limited(try CityscapesDataset(root: root, split: request.split, imageNormalization: request.denseImageNormalization)))
  }
}
