import AuxData
import AuxNN

extension OptimizerDescriptor {
  /// `sgd`: stochastic gradient descent with momentum (PyTorch's `SGD`, L2 weight decay).
  public static let sgd = OptimizerDescriptor(
    name: "sgd", summary: "SGD with momentum (PyTorch's SGD; weight decay as L2)",
    options: [RegistryOption("optimizer.momentum", "momentum")]
  ) { groups, config in
    SGD(groups, momentum: Float(config.momentum))
  }
}
