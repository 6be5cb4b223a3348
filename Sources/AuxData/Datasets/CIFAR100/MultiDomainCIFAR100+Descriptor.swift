extension MultiDomainCIFAR100 {
  /// `multi-cifar100`: the CIFAR-100 binary release as 20 domains, one dataset per task
  /// (multi-input), with the CIFAR augmentation.
  public static let descriptor = DatasetDescriptor(
    name: "multi-cifar100", summary: "multi-domain CIFAR-100: 20 five-class domains, one batch per task (multi-input); no validation split",
    options: [RegistryOption("dataset.path", "folder holding cifar-100-binary/ (or that folder itself)")],
    augmentation: { loaded in
      (loaded.datasets.first.map { ($0 as? SubsetDataset)?.base ?? $0 } as? CIFAR100DomainDataset).map { .cifar(imagePadding: $0.blackPadding) }
    }
  ) { request, environment in
    // MultiDomainCIFAR100.file(root:split:) accepts <data>/cifar-100-binary/ or the directory itself.
    let root = try request.dataRoot("cifar-100-binary", marker: "train.bin", environment: environment)
    return .multiInput(try MultiDomainCIFAR100.load(root: root, split: request.split).map(request.limited))
  }
}
