import AuxData
import AuxNN

extension OptimizerDescriptor {
  /// `adam`: Adam with PyTorch's defaults (betas 0.9/0.999, eps 1e-8, L2 weight decay).
  public static let adam = OptimizerDescriptor(
    name: "adam", summary: "Adam (betas 0.9/0.999, eps 1e-8; weight decay as L2)"
  ) { groups, _ in
    Adam(groups)
  }

  /// `adamw`: Adam with decoupled weight decay.
  public static let adamw = OptimizerDescriptor(
    name: "adamw", summary: "AdamW (Adam with decoupled weight decay)"
  ) { groups, _ in
    AdamW(groups)
  }
}
